"""Messages that should not count, or not stop anything: duplicate results, poison messages,
a job that kills every runner that takes it; and the order and length of jobs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from yarl import URL

from services.coordinator.jobs import DEADLINE_SLACK_S
from services.runner.sandboxes.local import LocalSandbox
from services.runner.service import RunnerService
from shared.brokers.amqp import AmqpBroker
from shared.brokers.base import Delivery, Outgoing
from shared.contract import MAX_MESSAGE_BYTES, SeamJob
from shared.topology import (
    AUDITOR_QUEUE,
    MAX_DELIVERIES,
    RESULTS_QUEUE,
    RUNNER_QUEUE,
    SUBMISSIONS_QUEUE,
)
from tests.waiting import wait_until_async

from .demo import crashing_test, demo_project, plan_path
from .fleet import Fleet, Submitted
from .ledger import EventLog, Ledger, report_records, store_records
from .rabbit import consumer_timeout_s, dead_letters

# 1.2 MB of nesting: json.loads raises RecursionError, which once wedged every consumer.
NESTED = b'{"a":' * 200_000 + b"1" + b"}" * 200_000

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.timeout(240)]


def _ledgers(fleet: Fleet, report: dict[str, object], events: EventLog,
             expected: Sequence[str]) -> list[tuple[int, int, int]]:
    run_id = str(report["run_id"])
    return [Ledger.classify(expected, records).counts
            for records in (report_records(report), events.terminal_records(run_id),
                            store_records(fleet.state_dir, run_id))]


async def test_a_result_delivered_twice_is_recorded_once(fleet: Fleet) -> None:
    project = demo_project(fleet.root / "project", 2, sleep_s=0)
    await fleet.coordinator()
    await fleet.auditor()
    sandbox = LocalSandbox()
    runner = RunnerService(lambda spec: sandbox, fleet.root / "cache" / "in-test-runner")

    async def answer_twice(delivery: Delivery) -> Sequence[Outgoing]:
        out = await runner.handle(delivery)
        return [*out, *out]

    events = EventLog()
    async with fleet.broker() as broker:
        await events.bind(broker)
        await broker.consume(RUNNER_QUEUE, answer_twice)
        result = await fleet.submit(plan_path(project), "--repeats", "1")
        await events.cancel()

    assert result.code == 0, result.stderr[-3000:]
    assert _ledgers(fleet, result.report, events, ["1", "2"]) == [(0, 0, 0)] * 3
    # Two seams and the suite (batch verdicts come from it): each answer arrived twice and
    # counted once.
    assert len(fleet.processes[0].events("result ignored")) == 3


async def _keep_a_runner_up(fleet: Fleet, done: asyncio.Future[Submitted]) -> int:
    """Restart the runner whenever it dies (compose's restart policy) until ``done``;
    returns how many times it died."""
    deaths = 0
    while not done.done():
        runner = await fleet.runner(ready=False)
        exited = asyncio.ensure_future(runner.process.wait())
        await asyncio.wait({exited, done}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            deaths += 1
        else:
            exited.cancel()
    return deaths


async def test_poison_messages_end_dead_lettered_with_a_reason_while_the_run_completes(
    fleet: Fleet,
) -> None:
    project = demo_project(fleet.root / "project", 4, bodies={4: crashing_test(4)})
    await fleet.coordinator()
    await fleet.auditor()
    out = fleet.root / "out"
    async with fleet.broker() as broker:
        submit = await fleet.submit_process(plan_path(project), out, "--repeats", "1")
        await broker.publish_raw(RUNNER_QUEUE, b"{not json", message_type="SeamJob")
        await broker.publish_raw(SUBMISSIONS_QUEUE, b'{"schema_version": "1.0", "run_id": "x"}',
                                 message_type="RunRequest")
        await broker.publish_raw(RESULTS_QUEUE, b" " * (MAX_MESSAGE_BYTES + 1),
                                 message_type="JobResult")
        for queue, kind in ((SUBMISSIONS_QUEUE, "RunRequest"), (AUDITOR_QUEUE, "AuditJob")):
            await broker.publish_raw(queue, NESTED, message_type=kind)
        done = asyncio.ensure_future(fleet.finish(submit, out))
        deaths = await asyncio.gather(_keep_a_runner_up(fleet, done),
                                      _keep_a_runner_up(fleet, done))
        result = await done
        dead = await dead_letters(broker, 6)

    report = result.report
    assert {s["id"]: s["status"] for s in report["seams"]} == {
        "1": "passed", "2": "passed", "3": "passed", "4": "error"}
    assert f"delivered {MAX_DELIVERIES} times" in report["seams"][-1]["reason"] or any(
        f"delivered {MAX_DELIVERIES} times" in s["reason"] for s in report["seams"])
    assert result.code == 3, result.stderr[-3000:]
    assert sum(deaths) == MAX_DELIVERIES - 1
    reasons = sorted((d.origin, d.reason.split(":")[0]) for d in dead)
    real = broker.real_name
    assert reasons == sorted([
        (real(RUNNER_QUEUE), "body is not JSON"),
        (real(SUBMISSIONS_QUEUE), "invalid RunRequest"),
        (real(SUBMISSIONS_QUEUE), "body is too deeply nested to decode"),
        (real(AUDITOR_QUEUE), "body is too deeply nested to decode"),
        (real(RESULTS_QUEUE), f"body of {MAX_MESSAGE_BYTES + 1} bytes exceeds {MAX_MESSAGE_BYTES}"),
        (real(RUNNER_QUEUE), f"delivered {MAX_DELIVERIES} times"),
    ])


async def _depth_reaches(broker: AmqpBroker, queue: str, depth: int, timeout: float = 60) -> None:
    current = [0]

    async def reached() -> bool:
        current[0] = await broker.depth(queue)
        return current[0] >= depth

    await wait_until_async(
        reached, timeout, poll_s=0.1,
        what=lambda: f"{queue} to hold {depth} messages (it holds {current[0]})")


async def test_a_queued_p1_job_is_overtaken_by_a_later_p0_job(fleet: Fleet) -> None:
    p1 = demo_project(fleet.root / "p1", 3, sleep_s=0, priority="P1")
    p0 = demo_project(fleet.root / "p0", 1, sleep_s=0, priority="P0")
    await fleet.coordinator()
    await fleet.auditor()
    async with fleet.broker() as broker:
        first = await fleet.submit(plan_path(p1), "--repeats", "1", wait=False)
        await _depth_reaches(broker, RUNNER_QUEUE, 3)
        second = await fleet.submit(plan_path(p0), "--repeats", "1", wait=False)
        await _depth_reaches(broker, RUNNER_QUEUE, 4)

    runner = await fleet.runner()
    started = await runner.wait_event("job started")

    assert (first.code, second.code) == (0, 0)
    assert started["run_id"] == second.stdout.strip() != first.stdout.strip()


async def test_a_long_job_keeps_its_delivery_and_stays_within_the_consumer_timeout(
    fleet: Fleet,
) -> None:
    server_timeout_s = await consumer_timeout_s(fleet.url)
    job_timeout_s, long_s = 60, 8
    # RabbitMQ 3.10 only has the server-wide timeout, which is not ours to lower on a shared
    # broker: every job deadline seamq hands out (default --timeout too) must stay below it.
    assert server_timeout_s > 300 + DEADLINE_SLACK_S
    assert server_timeout_s > job_timeout_s + DEADLINE_SLACK_S
    project = demo_project(fleet.root / "project", 1, sleep_s=long_s)
    await fleet.coordinator()
    await fleet.auditor()
    # Heartbeats every second: a runner whose loop stalled while the job ran would lose
    # its connection, and the job would be delivered again.
    runner = await fleet.runner(url=str(URL(fleet.url).update_query(heartbeat=1)))

    result = await fleet.submit(plan_path(project), "--repeats", "1",
                                "--timeout", str(job_timeout_s))

    assert result.code == 0, result.stderr[-3000:]
    started = [line for line in runner.events("job started")
               if line["kind"] == SeamJob.__name__]
    assert [line["delivery_count"] for line in started] == [1]
    assert result.report["seams"][0]["tests"][0]["duration_s"] >= long_s
    for process in fleet.processes:
        assert not process.events("redelivered without an ack; counting a delivery")
