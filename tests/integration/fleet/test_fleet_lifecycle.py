"""Services as operators run them: a graceful SIGTERM, the health endpoint, projects reached
through git, and ``seamq run`` on a real broker."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared.contract import SeamJob
from tests.waiting import wait_until_async

from .demo import demo_project, held_test, plan_path
from .fleet import Fleet, scrape
from .ledger import EventLog, Ledger, report_records, store_records
from .services import REPO

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.timeout(180)]

STOP_WITHIN_S = 10.0


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs: a zombie (killed, not yet reaped by its parent) does not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


async def _file_appears(path: Path, timeout: float = 60) -> str:
    async def written() -> str:
        return path.read_text() if path.exists() else ""

    return await wait_until_async(written, timeout, what=f"{path} to appear")


async def test_sigterm_requeues_the_job_in_flight_and_the_runner_exits_at_once(
    fleet: Fleet,
) -> None:
    marker, pid_file = fleet.root / "hold", fleet.root / "test.pid"
    marker.touch()
    project = demo_project(fleet.root / "project", 1,
                           bodies={1: held_test(1, marker, pid_file)})
    await fleet.coordinator()
    await fleet.auditor()
    first = await fleet.runner()
    events = EventLog()
    out = fleet.root / "out"
    async with fleet.broker() as broker:
        await events.bind(broker)
        submit = await fleet.submit_process(plan_path(project), out, "--repeats", "1")
        test_pid = int(await _file_appears(pid_file))
        began = time.monotonic()
        code = await first.stop(signal.SIGTERM, timeout=STOP_WITHIN_S)
        stopped_in = time.monotonic() - began
        test_alive = _alive(test_pid)
        marker.unlink()
        second = await fleet.runner()
        result = await fleet.finish(submit, out)
        await events.cancel()

    assert (code, test_alive) == (0, False)
    assert stopped_in < STOP_WITHIN_S
    assert result.code == 0, result.stderr[-3000:]
    # The job came back as it was: a graceful stop costs no delivery.
    retaken = [line for line in second.events("job started") if line["kind"] == SeamJob.__name__]
    assert [line["delivery_count"] for line in retaken] == [1]
    run_id = result.report["run_id"]
    for records in (report_records(result.report), events.terminal_records(run_id),
                    store_records(fleet.state_dir, run_id)):
        assert Ledger.classify(["1"], records).counts == (0, 0, 0)


async def test_healthz_answers_503_until_the_broker_is_reached_and_200_after(
    fleet: Fleet,
) -> None:
    unreachable = await fleet.start("auditor", "--metrics-port", "0", ready=False,
                                    url="amqp://guest:guest@127.0.0.1:1/")
    reachable = await fleet.start("auditor", "--metrics-port", "0")
    await unreachable.wait_event("broker unreachable; retrying")
    ports = [int((await p.wait_event("metrics endpoint listening"))["port"])
             for p in (unreachable, reachable)]

    assert [scrape(port, "/healthz")[0] for port in ports] == [503, 200]
    status, metrics = scrape(ports[1])
    assert status == 200
    assert 'service="auditor"' in next(
        line for line in metrics.splitlines() if line.startswith("seamq_build_info{"))
    assert await unreachable.stop(signal.SIGTERM, timeout=STOP_WITHIN_S) == 0


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True, timeout=60)
    return done.stdout.strip()


async def test_runners_clone_a_git_project_at_the_submitted_ref(fleet: Fleet) -> None:
    project = demo_project(fleet.root / "work", 2, sleep_s=0)
    _git("init", "--quiet", "--initial-branch", "main", cwd=project.root)
    _git("add", ".", cwd=project.root)
    _git("commit", "--quiet", "-m", "demo", cwd=project.root)
    commit = _git("rev-parse", "HEAD", cwd=project.root)
    bare = fleet.root / "demo.git"
    _git("clone", "--quiet", "--bare", str(project.root), str(bare), cwd=fleet.root)
    await fleet.coordinator()
    await fleet.auditor()
    runner = await fleet.runner()

    result = await fleet.submit(plan_path(project), "--repeats", "1",
                                "--git-url", bare.as_uri(), "--git-ref", "main")

    assert result.code == 0, result.stderr[-3000:]
    assert [s["status"] for s in result.report["seams"]] == ["passed", "passed"]
    for name in ("coordinator", runner.name):
        assert (fleet.root / "cache" / name / "checkouts" / commit).is_dir(), name


async def test_seamq_run_uses_a_real_broker_when_given_one(fleet: Fleet) -> None:
    project = demo_project(fleet.root / "project", 2, sleep_s=0)
    out = fleet.root / "out"

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli.main", "run", str(plan_path(project)),
        "--broker", fleet.url, "--sandbox", "local", "--repeats", "1", "--out", str(out),
        cwd=REPO, env=fleet.env("embedded"), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 120)

    assert process.returncode == 0, stderr.decode()[-3000:]
    async with fleet.broker() as broker:
        # The run went through this prefix's queues, and left none of its messages behind.
        assert await broker.depth("seamq.runner") == 0
    report = json.loads((out / "report.json").read_text())
    assert [s["status"] for s in report["seams"]] == ["passed", "passed"]


async def test_submit_wait_reports_a_run_the_coordinator_rejects(fleet: Fleet) -> None:
    project = demo_project(fleet.root / "work", 1, sleep_s=0)
    await fleet.coordinator()
    missing = (fleet.root / "no-such-repo.git").as_uri()

    result = await fleet.submit(plan_path(project), "--git-url", missing, "--git-ref", "main",
                                timeout=60)

    assert result.code == 3
    assert "the coordinator rejected run" in result.stderr
    assert "git clone failed" in result.stderr
