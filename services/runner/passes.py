"""Run a set of test files N times in random order inside a sandbox and judge each run."""

from __future__ import annotations

import json
import random
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from services.runner.evidence import KEY_FILE, judge_outputs
from services.runner.sandboxes.base import Limits, Mounts, Sandbox, SandboxRequest
from services.runner.sandboxes.services import ServiceSession
from shared.contract import ExecutionSpec
from shared.status import ProcessVerdict

PLUGIN_DIR = Path(__file__).parent / "plugin"
BASE_ENV = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1"}


@dataclass(frozen=True)
class Pass:
    """One pytest process to run: its seed and whether the shuffled order is reversed."""

    seed: int
    reverse: bool = False
    order: tuple[str, ...] = ()  # when given: exactly these tests, in this order
    cover: tuple[str, ...] = ()  # folders (project-relative) measured with coverage.py


def plan_passes(seed: int, repeats: int, *, with_reverse: bool) -> list[Pass]:
    """Seeds for ``repeats`` processes; validation pairs each order with its reverse,
    so every pair of tests runs in both relative orders at least once."""
    rng = random.Random(seed)
    seeds = [rng.randrange(2**32) for _ in range(repeats)]
    if not with_reverse:
        return [Pass(s) for s in seeds]
    passes: list[Pass] = []
    for s in seeds[: max(1, (repeats + 1) // 2)]:
        passes += [Pass(s), Pass(s, reverse=True)]
    return passes


def sandbox_env(spec: ExecutionSpec, home: str, support: str, path: str,
                services: ServiceSession | None = None) -> dict[str, str]:
    """Everything the tests see: a minimal base, the support path, the services'
    ``tests_env`` and ``--env`` values (which win)."""
    env = {**BASE_ENV, "HOME": home, "PATH": path, "PYTHONPATH": support, "TMPDIR": "/tmp"}
    if services is not None:
        env.update(services.tests_env)
    env.update(spec.env)
    return env


# Plugins that would parallelise, rerun, reorder or replay: the plugin removes their options
# and registers their markers (services/runner/plugin/seamq_control.py).
BLOCKED = ("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly",
           "-p", "no:rerunfailures", "-p", "no:random_order", "-p", "no:repeat")


def pytest_argv(
    python: str, files: Sequence[str], mounts: Mounts, p: Pass, setup: str, index: int = 0
) -> tuple[str, ...]:
    outputs = mounts.outputs
    # One word per option (``--seamq-out=DIR``): pytest finds the project's ini file from
    # the non-option words before it knows seamq's options, so a separate DIR would count.
    # No --rootdir: it is found as plain pytest finds it from the project.
    argv = (
        python, "-m", "pytest", "-p", "seamq_order", *BLOCKED,
        f"--seamq-seed={p.seed}", f"--seamq-out={outputs}",
        "-o", "junit_family=xunit1", f"--junitxml={outputs}/junit.xml",
        "-q", "--color=no", *(["--seamq-reverse"] if p.reverse else []),
        *([f"--seamq-order-file={mounts.support}/order-{index}.json"] if p.order else []),
        *(f"--seamq-cov={folder}" for folder in p.cover),
        "--", *files,
    )
    if setup:
        return ("/bin/sh", "-c", f'{setup} && exec "$@"', "seamq-setup", *argv)
    return argv


def run_passes(
    sandbox: Sandbox,
    workspace: Path,
    files: Sequence[str],
    spec: ExecutionSpec,
    passes: Sequence[Pass],
    *,
    name: str,
    deadline_s: float,
    labels: dict[str, str],
    on_pass: Callable[[ProcessVerdict], None] | None = None,
    stop_on_error: bool = True,
    services: ServiceSession | None = None,
    on_outputs: Callable[[Pass, Path, bytes], None] | None = None,
) -> tuple[list[ProcessVerdict], str]:
    """Run each pass in a fresh copy of ``workspace``; return the verdicts and output tail.
    ``on_outputs`` reads a pass's outputs (with its key) before they are removed."""
    verdicts: list[ProcessVerdict] = []
    tail = ""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="seamq-exec-") as tmp:
        base = Path(tmp)
        base.chmod(0o711)  # a local sandbox's user reaches its own directories, lists none
        support = base / "support"
        support.mkdir(mode=0o755)
        support.chmod(0o755)  # readable by the sandbox's user whatever the runner's umask
        for module in PLUGIN_DIR.glob("seamq_*.py"):
            shutil.copy(module, support / module.name)
            (support / module.name).chmod(0o644)
        for index, p in enumerate(passes):
            remaining = deadline_s - (time.monotonic() - started)
            run_dir = base / f"ws-{index}"
            outputs = base / f"out-{index}"
            shutil.copytree(workspace, run_dir, symlinks=True)
            outputs.mkdir()
            outputs.chmod(0o777)
            if p.order:
                (support / f"order-{index}.json").write_text(json.dumps(list(p.order)))
                (support / f"order-{index}.json").chmod(0o644)
            key = _leave_key(outputs)
            request = _request(sandbox, spec, files, p, base, index, remaining,
                               name=name, labels=labels, services=services or ServiceSession())
            outcome = sandbox.run(request)
            if outcome.failure == "timeout":
                # The deadline is the job's, however much of it earlier passes used.
                outcome = replace(outcome, reason=f"timed out after {deadline_s:g} s "
                                  "(the job's wall-clock deadline)")
            tail = outcome.output
            verdict = judge_outputs(p.seed, outcome, outputs, key=key)
            verdicts.append(verdict)
            if on_pass is not None:
                on_pass(verdict)
            if on_outputs is not None:
                on_outputs(p, outputs, key)
            shutil.rmtree(run_dir, ignore_errors=True)
            shutil.rmtree(outputs, ignore_errors=True)  # read; an oversized one goes at once
            if verdict.outcome == "error" and stop_on_error:
                break
    return verdicts, tail[-8000:]


def _leave_key(outputs: Path) -> bytes:
    """A one-time key for the plugin, which reads and deletes it before any project code
    runs; records signed with it were written by the plugin (docs/architecture.md)."""
    key = secrets.token_bytes(32)
    path = outputs / KEY_FILE
    path.write_bytes(key)
    path.chmod(0o644)  # the docker sandbox's uid must read it
    return key


def _request(sandbox: Sandbox, spec: ExecutionSpec, files: Sequence[str], p: Pass, base: Path,
             index: int, remaining: float, *, name: str, labels: dict[str, str],
             services: ServiceSession) -> SandboxRequest:
    """The sandbox request for pass ``index``, whose copies live under ``base``."""
    run_dir, outputs, support = base / f"ws-{index}", base / f"out-{index}", base / "support"
    mounts = sandbox.mounts((run_dir, outputs, support))
    home, path, home_dir = "/tmp", "/usr/local/bin:/usr/bin:/bin", None
    if sandbox.kind != "docker":
        # A host process gets a home of its own and finds the runner's interpreter.
        home_dir = base / f"home-{index}"
        home_dir.mkdir()
        home = str(home_dir)
        path = f"{Path(sandbox.python).parent}:{path}"
    return SandboxRequest(
        name=f"{name}-{index}",
        workspace=run_dir,
        outputs=outputs,
        support=support,
        argv=pytest_argv(sandbox.python, files, mounts, p, spec.setup, index),
        env=sandbox_env(spec, home, mounts.support, path, services),
        timeout_s=max(1.0, remaining),
        limits=Limits(memory_mb=spec.memory_mb, cpus=spec.cpus, pids=spec.pids),
        image=spec.image,
        network=services.network,
        labels={**labels, "seamq.pass": str(index)},
        home=home_dir,
    )
