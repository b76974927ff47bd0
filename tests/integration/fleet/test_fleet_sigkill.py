"""The fleet issue's acceptance run: a coordinator, an auditor and three runners, each its
own process, complete a submitted 12-seam run while one runner is SIGKILLed mid-job."""

from __future__ import annotations

import signal

import pytest

from shared.contract import SeamJob

from .demo import demo_project, plan_path
from .fleet import Fleet, metrics_port, sample, scrape
from .ledger import EventLog, Ledger, report_records, store_records

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.timeout(300)]

SEAMS = 12


def _seam_job_started(line: dict[str, object]) -> bool:
    return line.get("event") == "job started" and line.get("kind") == SeamJob.__name__


async def test_twelve_seams_pass_exactly_once_when_a_runner_is_killed_mid_job(
    fleet: Fleet,
) -> None:
    project = demo_project(fleet.root / "project", SEAMS)
    coordinator = await fleet.coordinator()
    await fleet.auditor()
    runners = [await fleet.runner() for _ in range(3)]
    events = EventLog()
    async with fleet.broker() as broker:
        await events.bind(broker)
        out = fleet.root / "out"
        submit = await fleet.submit_process(plan_path(project), out, "--repeats", "1")

        victim = runners[0]
        started = await victim.wait_for(_seam_job_started)
        await victim.stop(signal.SIGKILL)
        result = await fleet.finish(submit, out)
        await events.cancel()

    assert result.code == 0, result.stderr[-3000:]
    report = result.report
    run_id = report["run_id"]
    assert [s["status"] for s in report["seams"]] == ["passed"] * SEAMS
    expected = [f"{n}" for n in range(1, SEAMS + 1)]
    for records in (report_records(report), events.terminal_records(run_id),
                    store_records(fleet.state_dir, run_id)):
        assert Ledger.classify(expected, records).counts == (0, 0, 0), records
    # The killed runner's job went to another runner as a second delivery.
    retaken = [line for runner in runners[1:] for line in runner.events("job started")
               if line.get("job_id") == started["job_id"]]
    assert [line["delivery_count"] for line in retaken] == [2]
    status, metrics = scrape(metrics_port(coordinator))
    assert status == 200
    # The coordinator handles results as messages; jobs are the runners' and auditor's.
    assert sample(metrics, "seamq_messages_handled_total", service="coordinator",
                  queue="results", outcome="ok") >= SEAMS
    assert sample(metrics, "seamq_seams_total", status="passed") == SEAMS
