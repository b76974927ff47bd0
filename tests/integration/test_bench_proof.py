"""``benchmarks/bench_proof.py --quick`` runs and prints every figure of issue 12 with its
target. The figures themselves are not checked (a shared machine is noisy); that each one is
printed, with PASS or FAIL, is."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from benchmarks.proof_dispatch import amqp_url

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NUMBER = r"[-+]?\d+(?:\.\d+)?"
JUDGED = rf"\(target [^)]*?[<>]= {NUMBER}[^)]*\) (?:PASS|FAIL)"


def _bench(part: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_proof", "--quick", "--only", part],
        cwd=REPO, capture_output=True, text=True, timeout=1500, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.timeout(1600)
def test_every_suite_prints_baselines_seamq_runs_executions_and_targets() -> None:
    out = _bench("suites")

    for suite, files in (("uniform", 4), ("skewed", 6), ("tiny", 6), ("web", 3)):
        section = out.split(f"== suite {suite} ({files} files, P = ")[1].split("== ")[0]
        assert re.search(rf"plain pytest \(serial\) +{NUMBER} s", section), section
        assert re.search(rf"xdist -n \d --dist loadfile +{NUMBER} s", section), section
        for run in ("cold", "warm", "cached"):
            assert re.search(rf"seamq {run} +{NUMBER} s +x{NUMBER} plain, x{NUMBER} xdist; "
                             rf"executions/file {NUMBER}", section), (run, section)
        for run in ("cold", "warm"):
            assert re.search(rf"{run} proof: lower bound {NUMBER} x {NUMBER} s / \d = "
                             rf"{NUMBER} s; makespan/bound x{NUMBER} {JUDGED}", section)
        assert re.search(rf"cached rerun / plain x{NUMBER} {JUDGED}", section), section
        if suite in ("uniform", "skewed"):
            assert re.search(rf"warm, no validation, 1 repeat / xdist x{NUMBER} {JUDGED}",
                             section), section
    assert "pollutes" in out.split("== suite web")[1]


@pytest.fixture
def rabbitmq() -> None:
    """The RabbitMQ the harness uses answers: else a skip, or a failure when CI is set."""
    parts = urlsplit(amqp_url())
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672),
                                 timeout=3).close()
    except OSError as e:
        reason = f"RabbitMQ is not reachable at {parts.hostname}:{parts.port} ({e})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.mark.rabbitmq
@pytest.mark.timeout(600)
@pytest.mark.usefixtures("rabbitmq")
def test_amqp_dispatch_prints_seamq_next_to_bare_aio_pika() -> None:
    out = _bench("amqp")

    assert re.search(rf"bare aio-pika round trip +{NUMBER} jobs/s", out), out
    assert re.search(rf"seamq publish/consume +{NUMBER} jobs/s +x{NUMBER} bare {JUDGED}", out)


@pytest.mark.docker
@pytest.mark.timeout(900)
def test_docker_overhead_prints_p50_and_p95_over_local(docker_client: Any) -> None:
    out = _bench("docker")

    for box in ("local sandbox", "docker, fresh containers", "docker sandbox"):
        assert re.search(rf"{box} +p50 +{NUMBER} s +p95 +{NUMBER} s", out), out
    assert re.search(rf"overhead over local +p50 {NUMBER} s +p95 {NUMBER} s {JUDGED}", out)
