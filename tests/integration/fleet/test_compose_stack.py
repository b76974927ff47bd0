"""The compose stack up for real: the repository's ``docker-compose.yml`` on locally built images
(``deploy/provision.sh compose-images``), three runners that start their sandboxes on the
host's engine through the mounted socket, the inventory example submitted from the host with
``seamq submit --wait``, Prometheus scraping every runner, and ``down -v`` leaving nothing.

Skips without docker-compose or the images on a laptop; fails in CI, where tests/run.sh
builds them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.waiting import wait_until

from .compose import REPO, Stack, compose_command, docker, images

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(900)]

RUNNERS = 3
# rabbitmq, coordinator, auditor, the runners and prometheus (grafana is behind a profile).
CONTAINERS = 4 + RUNNERS
HEALTHY_WITHIN_S = 240
RUN_WITHIN_S = 480
SCRAPED_WITHIN_S = 90


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """The stack, brought down at teardown whatever happened (logs printed on the way)."""
    up = Stack(tmp_path / "stack", images(), compose_command())
    try:
        yield up
    finally:
        if not up.down_done:
            print(up.logs())
            up.down()


def _submit(stack: Stack, project: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in stack.env().items() if not k.startswith("SEAMQ_")}
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", "submit",
         str(project / "tests" / "TEST_PLAN.md"), "--project", str(project),
         "--broker", stack.broker_url, "--wait", "--wait-timeout", str(RUN_WITHIN_S),
         "--sandbox", "docker", "--image", stack.images["SEAMQ_SANDBOX_IMAGE"],
         "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=RUN_WITHIN_S + 60,
        check=False)


def _assert_inventory_outcome(report: dict[str, object]) -> None:
    """The example's known outcome (as in tests/e2e/test_run_local.py): every seam passes
    alone, and seams 3 and 4 conflict when run together."""
    seams = report["seams"]
    batches = report["batches"]
    assert isinstance(seams, list)
    assert isinstance(batches, list)
    assert {s["id"]: s["status"] for s in seams} == {
        "1": "passed", "2": "passed", "3": "passed", "4": "passed"}
    conflicts = [b for b in batches if b["status"] == "conflict"]
    assert len(conflicts) == 1, batches
    assert {"3", "4"} <= set(conflicts[0]["seams"])
    assert "test_cached_reads_integration.py" in conflicts[0]["detail"]


def _wait_scraped(stack: Stack, runner_ips: set[str]) -> None:
    """Prometheus finds every runner through Docker's DNS and scrapes it, and saw the jobs."""
    runners = 'up{job="seamq-runner"}'

    def runners_up() -> set[str] | None:
        up = stack.prometheus(f"{runners} == 1")
        found = {r["metric"]["instance"].rsplit(":", 1)[0] for r in up}
        return found if found == runner_ips else None

    def services_up() -> bool:
        up = stack.prometheus('up{job=~"seamq-coordinator|seamq-auditor|rabbitmq"} == 1')
        return len(up) == 3

    def jobs_counted() -> bool:
        done = stack.prometheus('sum(seamq_jobs_total{job="seamq-runner"})')
        return bool(done) and float(done[0]["value"][1]) > 0

    wait_until(runners_up, SCRAPED_WITHIN_S, poll_s=2, what=lambda: (
        f"Prometheus scraping the runners {sorted(runner_ips)}: "
        f"{stack.prometheus(runners)}"))
    wait_until(services_up, SCRAPED_WITHIN_S, poll_s=2, what=lambda: (
        f"coordinator, auditor and rabbitmq up: {stack.prometheus('up')}"))
    wait_until(jobs_counted, SCRAPED_WITHIN_S, poll_s=2,
               what="Prometheus to see the runners' jobs")


def test_the_example_runs_on_the_compose_stack_and_teardown_leaves_nothing(
    stack: Stack, tmp_path: Path,
) -> None:
    project = stack.projects / "inventory"
    stack.up(RUNNERS)
    shutil.copytree(REPO / "examples" / "inventory", project,
                    ignore=shutil.ignore_patterns("__pycache__", ".seamq", ".pytest_cache",
                                                  "*.pyc"))
    stack.wait_healthy(CONTAINERS, HEALTHY_WITHIN_S)
    runner_ips = stack.service_ips("runner")
    assert len(runner_ips) == RUNNERS

    done = _submit(stack, project, tmp_path / "out")

    assert done.returncode == 1, done.stdout + done.stderr + stack.logs()
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    _assert_inventory_outcome(report)
    sandboxes = report["environment"]["sandboxes"]
    assert sandboxes
    assert all(s.startswith("docker") for s in sandboxes), sandboxes
    _wait_scraped(stack, runner_ips)
    # Every job's workspace was made under the shared work folder, and removed again; what
    # is left belongs to the runners' warm containers, started and waiting for a next job.
    assert [p for p in stack.work.iterdir() if not p.name.startswith("seamq-warm-")] == []

    stack.down()

    assert stack.leftovers() == {"containers": [], "networks": [], "volumes": []}
    run_label = f"label=seamq.run={report['run_id']}"
    assert docker("ps", "-aq", "--filter", run_label).split() == []
