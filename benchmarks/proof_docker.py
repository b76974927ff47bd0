"""Docker per-job overhead: a one-test pytest through the runner's own code path
(``services.runner.passes.run_passes``, one pass: workspace copy, plugin, evidence, verdict)
in the docker sandbox and in the local sandbox, alternating, in the same run.

The docker sandbox is the one ``seamq run --sandbox docker`` would use
(``choose_sandbox``: warm containers, ``warm.py``), so whatever it does to start containers
is what is measured; next to it, a docker sandbox without warm containers (one created and
started per job, as before them) is the before-and-after in the same run. Local
runs get ``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1`` so that both load the same plugins (the
image has none of the host's).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from services.runner.passes import Pass, run_passes
from services.runner.sandboxes.base import Sandbox
from services.runner.sandboxes.docker import DockerSandbox
from services.runner.sandboxes.local import LocalSandbox
from services.runner.sandboxes.selection import choose_sandbox
from shared.contract import ExecutionSpec

ONE_TEST = '"""One test."""\n\n\ndef test_one():\n    """Sums."""\n    assert 1 + 1 == 2\n'


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in seconds."""
    if len(samples) < 2:
        return samples[0], samples[0]
    return statistics.median(samples), statistics.quantiles(samples, n=20,
                                                             method="inclusive")[-1]


def _one(sandbox: Sandbox, workspace: Path, spec: ExecutionSpec, i: int) -> float:
    started = time.perf_counter()
    verdicts, tail = run_passes(sandbox, workspace, ["test_one.py"], spec, [Pass(i + 1)],
                                name=f"bench-{sandbox.kind}-{i}-{time.time_ns()}",
                                deadline_s=120, labels={"bench": "proof"})
    elapsed = time.perf_counter() - started
    if verdicts[-1].outcome != "passed":
        raise SystemExit(f"the one-test job did not pass in the {sandbox.kind} sandbox: "
                         f"{verdicts[-1]}\n{tail}")
    return elapsed


def measure(n: int) -> dict[str, list[float]]:
    """Samples of one job each for ``docker`` (as chosen), ``fresh`` (docker, no warm
    containers) and ``local``, after one warm-up job each; jobs follow each other with no
    pause, as a busy runner's do."""
    docker = choose_sandbox("docker", "", lambda _m: None)
    fresh = DockerSandbox()
    fresh.kind = "fresh"
    local = LocalSandbox()
    with tempfile.TemporaryDirectory(prefix="seamq-bench-docker-") as tmp:
        workspace = Path(tmp) / "project"
        workspace.mkdir()
        (workspace / "test_one.py").write_text(ONE_TEST)
        (workspace / "pyproject.toml").write_text('[project]\nname = "one"\nversion = "0"\n')
        specs = {"docker": ExecutionSpec(sandbox="docker"),
                 "fresh": ExecutionSpec(sandbox="docker"),
                 "local": ExecutionSpec(sandbox="local",
                                        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})}
        samples: dict[str, list[float]] = {"docker": [], "fresh": [], "local": []}
        try:
            for i in range(-1, n):
                for box in (docker, fresh, local):
                    took = _one(box, workspace, specs[box.kind], i)
                    if i >= 0:
                        samples[box.kind].append(took)
        finally:
            for box in (docker, fresh, local):
                box.close()
    return samples
