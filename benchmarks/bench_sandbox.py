"""Per-job overhead of the Docker sandbox: create -> start -> results -> remove.

Runs N trivial jobs (``python3 -c pass`` and a one-test pytest writing JUnit) through
``DockerSandbox`` and, in the same run, two baselines: the same command as a local
subprocess, and a bare ``docker run --rm IMAGE true`` through the docker CLI. Prints p50
and p95 seconds per series and the sandbox's ratios to the baselines.

    python benchmarks/bench_sandbox.py [-n 20] [--image seamq-sandbox:latest]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from services.runner.sandboxes.base import SandboxRequest
from services.runner.sandboxes.docker import DEFAULT_IMAGE, DockerSandbox

ONE_TEST = "def test_one():\n    assert 1 + 1 == 2\n"
PYTEST = ("-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "junit_family=xunit1")


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) of the samples, in seconds."""
    p95 = statistics.quantiles(samples, n=20, method="inclusive")[-1]
    return statistics.median(samples), p95


def timed(n: int, job: Callable[[int], object]) -> list[float]:
    samples = []
    for i in range(n):
        started = time.perf_counter()
        job(i)
        samples.append(time.perf_counter() - started)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="jobs per series (default 20)")
    parser.add_argument("--image", default=DEFAULT_IMAGE)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="seamq-bench-"))
    try:
        bench(args.n, args.image, base)
    finally:
        shutil.rmtree(base)
    return 0


def bench(n: int, image: str, base: Path) -> None:
    """Run every series, then print the table and the ratios."""
    sandbox = DockerSandbox(default_image=image)
    workspace, support = base / "workspace", base / "support"
    workspace.mkdir()
    support.mkdir()
    (workspace / "test_one.py").write_text(ONE_TEST)

    starts: list[float] = []

    def in_sandbox(argv: tuple[str, ...]) -> Callable[[int], object]:
        def job(i: int) -> object:
            outputs = base / f"out-{len(argv)}-{i}"
            outputs.mkdir()
            outcome = sandbox.run(SandboxRequest(
                name=f"bench-{len(argv)}-{i}", workspace=workspace, outputs=outputs,
                support=support, argv=argv, env={}, timeout_s=60))
            if outcome.exit_code != 0:
                raise SystemExit(f"sandbox job failed: {outcome}")
            starts.append(outcome.start_s)
            return outcome
        return job

    # Same pytest flags; the host's installed plugins are not loaded, as in the image.
    local_env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}

    def local(argv: tuple[str, ...]) -> Callable[[int], object]:
        return lambda _i: subprocess.run(argv, cwd=workspace, env=local_env, check=True,
                                         capture_output=True)

    pytest_argv = ("python3", *PYTEST, "--junitxml=/outputs/junit.xml", "test_one.py")
    local_pytest = (sys.executable, *PYTEST, f"--junitxml={base}/junit.xml", "test_one.py")
    in_sandbox(("python3", "-c", "pass"))(-1)  # warm the engine and the page cache
    starts.clear()
    series = {
        "docker run --rm true (CLI)": timed(n, lambda _i: subprocess.run(
            ["docker", "run", "--rm", "--network", "none", image, "true"],
            check=True, capture_output=True)),
        "local python3 -c pass": timed(n, local((sys.executable, "-c", "pass"))),
        "sandbox python3 -c pass": timed(n, in_sandbox(("python3", "-c", "pass"))),
        "local pytest one test": timed(n, local(local_pytest)),
        "sandbox pytest one test": timed(n, in_sandbox(pytest_argv)),
    }
    sandbox.close()
    start_label = "sandbox create+start only"
    width = max(len(start_label), *map(len, series))
    print(f"{'series':<{width}}  {'p50 s':>7}  {'p95 s':>7}   (n={n})")
    stats = {name: percentiles(samples) for name, samples in series.items()}
    for name, (p50, p95) in stats.items():
        print(f"{name:<{width}}  {p50:7.3f}  {p95:7.3f}")
    start_p50, start_p95 = percentiles(starts)
    print(f"{start_label:<{width}}  {start_p50:7.3f}  {start_p95:7.3f}")
    cli = stats["docker run --rm true (CLI)"]
    for what in ("python3 -c pass", "pytest one test"):
        box, loc = stats[f"sandbox {what}"], stats[f"local {what}"]
        print(f"{what}: sandbox/local p50 x{box[0] / loc[0]:.1f}, p95 x{box[1] / loc[1]:.1f}; "
              f"sandbox/docker-run p50 x{box[0] / cli[0]:.2f}, p95 x{box[1] / cli[1]:.2f}; "
              f"overhead over local p50 {box[0] - loc[0]:+.3f} s")


if __name__ == "__main__":
    sys.exit(main())
