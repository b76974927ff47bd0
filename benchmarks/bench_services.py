"""Integration environments on the real engine: environment image build (cold, warm) and
service start-up to ready (PostgreSQL, Redis) per job, p50 and p95.

Cold builds a fresh image (a unique comment in ``requirements.txt`` changes the tag; pip's
download cache on the host stays warm, as on a runner that has built before); warm finds the
same image again. Each service sample is one job's private namespace: start, wait for ready
(the spec's own readiness check), remove — what every seam naming the service pays.

    python3 -m benchmarks.bench_services [-n 10] [--requirements FILE]

Needs ``deploy/provision.sh images`` (seamq-sandbox, seamq-postgres, seamq-redis).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_sandbox import percentiles
from services.runner.sandboxes.docker import DockerSandbox
from services.runner.sandboxes.environment import EnvironmentBuilder
from shared.contract import EnvironmentSpec, ServiceSpec

IMAGE = "seamq-sandbox:latest"
# The fixture's pins: a Flask + pydantic 2 + DuckDB application (tests/fixtures/thirdparty/).
REQUIREMENTS = Path(__file__).resolve().parents[1] / "tests/fixtures/thirdparty/requirements.txt"
POSTGRES = ServiceSpec(
    name="postgres", image="seamq-postgres:15", env={"POSTGRES_DB": "test"},
    ready_cmd=("pg_isready", "-h", "127.0.0.1", "-d", "test"), ready_timeout_s=60,
    tmpfs=("/var/lib/postgresql",))
REDIS = ServiceSpec(name="redis", image="seamq-redis:7", ready_tcp=6379, ready_timeout_s=60)


def environment(requirements: Path) -> tuple[float, float]:
    """(cold s, warm s) of one environment image; the image is removed afterwards."""
    sandbox = DockerSandbox(default_image=IMAGE)
    builder = EnvironmentBuilder(sandbox.client)
    with tempfile.TemporaryDirectory(prefix="seamq-bench-env-") as tmp:
        project = Path(tmp)
        text = requirements.read_text() + f"# bench {uuid.uuid4().hex}\n"
        (project / "requirements.txt").write_text(text)
        started = time.perf_counter()
        cold = builder.ensure(project, EnvironmentSpec(), IMAGE)
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        warm = builder.ensure(project, EnvironmentSpec(), IMAGE)
        warm_s = time.perf_counter() - started
    if not cold.built or warm.built or cold.tag != warm.tag:
        raise SystemExit(f"environment: expected a build then a reuse, got {cold} then {warm}")
    sandbox.client.api.remove_image(cold.tag, force=True)
    sandbox.close()
    return cold_s, warm_s


def services(n: int) -> dict[str, list[float]]:
    """Seconds from start to ready per service, ``n`` jobs each with both services."""
    sandbox = DockerSandbox(default_image=IMAGE)
    samples: dict[str, list[float]] = {"postgres": [], "redis": [], "job": []}
    try:
        for i in range(n):
            started = time.perf_counter()
            with sandbox.services((POSTGRES, REDIS), f"bench-{i}", {}, 60) as session:
                samples["job"].append(time.perf_counter() - started)
                for start in session.started:
                    samples[start.name].append(start.startup_s)
    finally:
        sandbox.close()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="jobs with services (default 10)")
    parser.add_argument("--requirements", type=Path, default=REQUIREMENTS)
    args = parser.parse_args()
    print(f"bench_services: {os.cpu_count()} cores; requirements {args.requirements}")
    lines = [line for line in args.requirements.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    cold_s, warm_s = environment(args.requirements)
    print(f"  environment image ({len(lines)} pinned packages): cold {cold_s:.2f} s, "
          f"warm {warm_s:.3f} s (x{cold_s / warm_s:.0f})")
    samples = services(args.n)
    for name, values in samples.items():
        p50, p95 = percentiles(values)
        what = "both ready (start to ready, one job)" if name == "job" else "start to ready"
        print(f"  {name:<9} {what:<40} p50 {p50:5.2f} s  p95 {p95:5.2f} s  "
              f"(n = {len(values)}, mean {statistics.fmean(values):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
