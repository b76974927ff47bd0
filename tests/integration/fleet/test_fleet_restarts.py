"""Runs survive the restart of what they depend on: RabbitMQ itself, and the coordinator
(killed, then started again on the same state directory)."""

from __future__ import annotations

import signal

import pytest

from .demo import demo_project, plan_path
from .fleet import Fleet
from .ledger import EventLog, Ledger, report_records, store_records
from .rabbit import rabbitmq_stopped, require_local_broker

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.timeout(240)]

SEAMS = 8
EXPECTED = [str(n) for n in range(1, SEAMS + 1)]


def _assert_every_seam_ended_once(fleet: Fleet, report: dict[str, object],
                                  events: EventLog) -> None:
    run_id = str(report["run_id"])
    for records in (report_records(report), events.terminal_records(run_id),
                    store_records(fleet.state_dir, run_id)):
        assert Ledger.classify(EXPECTED, records).counts == (0, 0, 0), records


@pytest.mark.rabbitmq_restart
async def test_run_completes_when_rabbitmq_restarts_mid_run(fleet: Fleet) -> None:
    require_local_broker(fleet.url)
    project = demo_project(fleet.root / "project", SEAMS)
    await fleet.coordinator()
    await fleet.auditor()
    runners = [await fleet.runner() for _ in range(2)]
    events = EventLog()
    out = fleet.root / "out"
    async with fleet.broker() as broker:
        await events.bind(broker)
        submit = await fleet.submit_process(plan_path(project), out, "--repeats", "1",
                                            "--skip-validation")
        await runners[0].wait_event("job finished")
        async with rabbitmq_stopped(fleet.url):
            pass
        result = await fleet.finish(submit, out)
        await events.cancel()

    assert result.code == 0, result.stderr[-3000:]
    assert [s["status"] for s in result.report["seams"]] == ["passed"] * SEAMS
    _assert_every_seam_ended_once(fleet, result.report, events)
    # Every service saw the connection drop and came back.
    for process in fleet.processes:
        assert process.running, process.name


async def test_run_resumes_when_the_coordinator_is_killed_and_restarted(fleet: Fleet) -> None:
    project = demo_project(fleet.root / "project", SEAMS)
    coordinator = await fleet.coordinator()
    await fleet.auditor()
    runners = [await fleet.runner() for _ in range(2)]
    events = EventLog()
    out = fleet.root / "out"
    async with fleet.broker() as broker:
        await events.bind(broker)
        submit = await fleet.submit_process(plan_path(project), out, "--repeats", "1",
                                            "--skip-validation")
        await runners[0].wait_event("job finished")
        await coordinator.stop(signal.SIGKILL)
        # Results keep arriving while no coordinator takes them.
        await runners[1].wait_event("job finished", start=len(runners[1].lines))
        restarted = await fleet.coordinator()
        result = await fleet.finish(submit, out)
        await events.cancel()

    assert result.code == 0, result.stderr[-3000:]
    assert [s["status"] for s in result.report["seams"]] == ["passed"] * SEAMS
    assert restarted.events("run resumed"), "the restarted coordinator did not resume the run"
    _assert_every_seam_ended_once(fleet, result.report, events)
