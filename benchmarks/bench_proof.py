"""The cost of proof, side by side in one invocation (issue 12's targets next to each figure).

Builds four suites in a temporary directory (``benchmarks/proof_suites.py``: uniform,
skewed, tiny, web with one polluting pair) and runs each with plain pytest, pytest-xdist
``-n P --dist loadfile`` and ``seamq run --sandbox local`` (cold; warm history with
``--no-cache``; a cached rerun; for uniform and skewed also warm, no validation, one
repeat). Then AMQP dispatch throughput through a real RabbitMQ (seamq's broker classes and
a bare aio-pika baseline) and the Docker sandbox's per-job overhead over local.

    python3 -m benchmarks.bench_proof [--quick] [--only suites,amqp,docker] [--autoload]

The machine is shared and noisy: figures are printed with PASS/FAIL against the targets,
never asserted. A part whose service is missing prints SKIP with the reason (and makes the
exit status 1 when ``$CI`` is set).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import proof_dispatch, proof_docker
from benchmarks.proof_runs import SuiteFigures, measure
from benchmarks.proof_suites import build

TARGETS = {
    "proof": 1.2,  # the full default proof (N = 3) over its ideal
    "cached": 0.1,  # a cached rerun over one plain pytest run
    "skewed": 0.75,  # warm history, no validation, over xdist loadfile
    "uniform": 1.05,
    "docker_p50": 0.15,  # seconds over local
    "amqp": 1500.0,  # no-op jobs/s
}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_suite(f: SuiteFigures) -> None:
    s = f.suite
    print(f"\n== suite {s.name} ({len(s.files)} files, P = {s.workers}, {s.kind})")
    print(f"  plain pytest (serial)        {f.plain_s:7.2f} s")
    print(f"  xdist -n {s.workers} --dist loadfile    {f.xdist_s:7.2f} s   "
          f"x{f.xdist_s / f.plain_s:.2f} plain")
    for name, run in f.seamq.items():
        print(f"  seamq {name:<22} {run.wall_s:7.2f} s   x{run.wall_s / f.plain_s:.2f} plain, "
              f"x{run.wall_s / f.xdist_s:.2f} xdist; executions/file {run.per_file:.2f} "
              f"(min {min(run.executions.values(), default=0)}, "
              f"max {max(run.executions.values(), default=0)}); run {run.status}")
        print(f"      suite validation: {run.detail}")
    for name in ("cold", "warm"):
        run = f.seamq[name]
        bound = f.lower_bound(run)
        ratio = run.wall_s / bound if bound else float("inf")
        print(f"  {name} proof: lower bound {run.per_file:.2f} x {f.plain_s:.2f} s / "
              f"{s.workers} = {bound:.2f} s; makespan/bound x{ratio:.2f} "
              f"(target <= {TARGETS['proof']}) {verdict(ratio <= TARGETS['proof'])}")
    cached = f.seamq["cached"].wall_s / f.plain_s
    print(f"  cached rerun / plain x{cached:.2f} (target <= {TARGETS['cached']}) "
          f"{verdict(cached <= TARGETS['cached'])}")
    if "warm-noval" in f.seamq:
        ratio = f.seamq["warm-noval"].wall_s / f.xdist_s
        print(f"  warm, no validation, 1 repeat / xdist x{ratio:.2f} "
              f"(target <= {TARGETS[s.name]}) {verdict(ratio <= TARGETS[s.name])}")


def skip(part: str, reason: str) -> bool:
    print(f"\n== {part}: SKIP ({reason})")
    return bool(os.environ.get("CI"))


def run_amqp(n: int) -> bool:
    """Print the dispatch figures; True when a CI run must fail for want of RabbitMQ."""
    try:
        seamq_rate, bare_rate = proof_dispatch.measure(n)
    except OSError as e:
        return skip("amqp", f"RabbitMQ not reachable at {proof_dispatch.amqp_url()}: {e}")
    print(f"\n== amqp dispatch ({n} no-op jobs, {proof_dispatch.CONSUMERS} consumers, "
          "prefetch 1, persistent, confirmed)")
    print(f"  bare aio-pika round trip     {bare_rate:7.0f} jobs/s")
    print(f"  seamq publish/consume        {seamq_rate:7.0f} jobs/s   "
          f"x{seamq_rate / bare_rate:.2f} bare (target >= {TARGETS['amqp']:.0f} jobs/s) "
          f"{verdict(seamq_rate >= TARGETS['amqp'])}")
    return False


def run_docker(n: int) -> bool:
    """Print the per-job overhead; True when a CI run must fail for want of Docker."""
    from services.runner.sandboxes.selection import probe_engine

    client, error = probe_engine()
    if client is None:
        return skip("docker", f"no Docker engine: {error}")
    client.close()
    samples = proof_docker.measure(n)
    (d50, d95), (f50, f95), (l50, l95) = (proof_docker.percentiles(samples[k])
                                          for k in ("docker", "fresh", "local"))
    print(f"\n== docker per-job overhead (one-test pytest through run_passes, n = {n})")
    print(f"  local sandbox                p50 {l50:6.3f} s  p95 {l95:6.3f} s")
    print(f"  docker, fresh containers     p50 {f50:6.3f} s  p95 {f95:6.3f} s   "
          f"(before warm containers: overhead p50 {f50 - l50:+.3f} s)")
    print(f"  docker sandbox               p50 {d50:6.3f} s  p95 {d95:6.3f} s   (warm)")
    print(f"  overhead over local          p50 {d50 - l50:+6.3f} s  p95 {d95 - l95:+6.3f} s "
          f"(target p50 <= {TARGETS['docker_p50']} s) "
          f"{verdict(d50 - l50 <= TARGETS['docker_p50'])}")
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small suites and samples (CI)")
    parser.add_argument("--only", default="suites,amqp,docker",
                        help="comma-separated parts (default: suites,amqp,docker)")
    parser.add_argument("--autoload", action="store_true",
                        help="let pytest autoload the host's plugins in every run")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    parts = set(args.only.split(","))
    print(f"bench_proof: {'quick' if args.quick else 'full'}; {os.cpu_count()} cores; "
          f"python {sys.version.split()[0]}")
    work = Path(tempfile.mkdtemp(prefix="seamq-bench-proof-"))
    missing = False
    try:
        if "suites" in parts:
            for suite in build(work / "suites", args.quick):
                print_suite(measure(suite, work, autoload=args.autoload, seed=args.seed))
                sys.stdout.flush()
        if "amqp" in parts:
            missing |= run_amqp(500 if args.quick else 5000)
        if "docker" in parts:
            missing |= run_docker(5 if args.quick else 20)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
