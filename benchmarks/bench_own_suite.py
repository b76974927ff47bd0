"""seamq's own test command against single-process pytest, side by side in one invocation.

README's test command runs the suite under pytest-xdist (``-n 2 --dist load``; the tests
that stop RabbitMQ wait until no other RabbitMQ test runs, see ``tests/conftest.py``). This
runs the same selection both ways — single process first, then the test command's way — and
prints the wall times, the speed-up and the target (>= 1.6x).

    python3 -m benchmarks.bench_own_suite [--workers 2] [PATH ...]   (default: tests)

Provision first (``bash deploy/provision.sh``) so that neither run pays for building images.
Both runs must end with the same outcome counts; a difference is printed and is exit 1.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = 1.6
_COUNTS = re.compile(r"(\d+) (passed|failed|skipped|error|errors|xfailed|xpassed)")


def _run(argv: list[str]) -> tuple[float, dict[str, int], str]:
    """(wall seconds, outcome counts from pytest's last line, that line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    last = lines[-1] if lines else done.stderr.strip()[-300:]
    counts = {kind.rstrip("s") if kind == "errors" else kind: int(n)
              for n, kind in _COUNTS.findall(last)}
    for line in lines:
        if line.startswith(("FAILED ", "ERROR ")):
            print(f"    {line[:300]}")
    return wall, counts, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="xdist workers (default: 2)")
    parser.add_argument("paths", nargs="*", default=["tests"])
    args = parser.parse_args()
    base = [sys.executable, "-m", "pytest", "-q", *args.paths]
    print(f"bench_own_suite: {' '.join(args.paths)}; {os.cpu_count()} cores")
    serial_s, serial, serial_line = _run([*base, "-p", "no:xdist"])
    print(f"  single process               {serial_s:8.1f} s   {serial_line}")
    xdist_s, spread, xdist_line = _run([*base, "-n", str(args.workers), "--dist", "load"])
    print(f"  -n {args.workers} --dist load              {xdist_s:8.1f} s   {xdist_line}")
    speedup = serial_s / xdist_s
    verdict = "PASS" if speedup >= TARGET else "FAIL"
    print(f"  speed-up x{speedup:.2f} (target >= {TARGET}) {verdict}")
    if serial != spread:
        print(f"  outcomes differ: single {serial} vs xdist {spread}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
