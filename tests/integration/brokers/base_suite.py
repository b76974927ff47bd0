"""Scenarios every broker must pass, written once; each broker's module subclasses the suite.

A subclass provides a ``harness`` fixture (see ``support.Harness``) and a ``broker`` fixture
for the broker under test. Waits are on queues with a timeout, never on sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from shared.brokers.base import Broker, Delivery, Outgoing
from shared.contract import JobResult, RunEvent, encode
from shared.errors import PublishError, RejectMessage
from shared.topology import (
    AUDITOR_QUEUE,
    DELIVERY_COUNT_HEADER,
    ORIGIN_QUEUE_HEADER,
    REJECT_REASON_HEADER,
    RESULTS_QUEUE,
    RUNNER_QUEUE,
    SUBMISSIONS_QUEUE,
    event_key,
)

from .support import MALFORMED, WAIT_S, Events, Harness, Inbox, seam_job


class BrokerSuite:
    """The scenarios; not collected itself (its name does not start with ``Test``)."""

    async def test_published_job_reaches_the_consumer_with_its_properties(
        self, broker: Broker, harness: Harness
    ) -> None:
        inbox = Inbox()
        await broker.publish(RUNNER_QUEUE, seam_job(), priority=7, message_id="m-1")
        await harness.consume(RUNNER_QUEUE, inbox)

        delivery = await inbox.next()

        assert delivery.message == seam_job()
        assert (delivery.queue, delivery.message_id) == (RUNNER_QUEUE, "m-1")
        assert (delivery.correlation_id, delivery.priority) == ("run-1", 7)
        assert delivery.delivery_count == 1

    async def test_p0_job_overtakes_p1_jobs_already_waiting(
        self, broker: Broker, harness: Harness
    ) -> None:
        for n in range(3):
            await broker.publish(RUNNER_QUEUE, seam_job(f"p1-{n}"), priority=8)
        await broker.publish(RUNNER_QUEUE, seam_job("p0"), priority=9)
        inbox = Inbox()
        await harness.consume(RUNNER_QUEUE, inbox, prefetch=1)

        jobs = [getattr((await inbox.next()).message, "job_id", None) for _ in range(4)]

        assert jobs == ["p0", "p1-0", "p1-1", "p1-2"]

    async def test_handler_output_is_published_to_the_results_queue(
        self, broker: Broker, harness: Harness
    ) -> None:
        result = JobResult(job_id="job-1", run_id="run-1", kind="seam", status="passed")
        await harness.consume(RUNNER_QUEUE, Inbox([Outgoing(result, queue=RESULTS_QUEUE)]))
        results = Inbox()
        await harness.consume(RESULTS_QUEUE, results)

        await broker.publish(RUNNER_QUEUE, seam_job())

        delivery = await results.next()
        assert delivery.message == result
        assert delivery.correlation_id == "run-1"

    async def test_job_whose_output_cannot_be_published_is_retried_not_acked(
        self, broker: Broker, harness: Harness
    ) -> None:
        result = JobResult(job_id="job-1", run_id="run-1", kind="seam", status="passed")
        inbox = Inbox([Outgoing(result, queue="seamq.nowhere")])
        await harness.consume(RUNNER_QUEUE, inbox)

        await broker.publish(RUNNER_QUEUE, seam_job())

        dead = await harness.next_dead_letter()
        assert inbox.calls == broker.max_deliveries
        assert "PublishError" in dead.headers[REJECT_REASON_HEADER]

    @pytest.mark.parametrize("case", sorted(MALFORMED))
    async def test_malformed_message_is_dead_lettered_and_the_next_one_handled(
        self, broker: Broker, harness: Harness, case: str
    ) -> None:
        body, message_type, reason = MALFORMED[case]
        await harness.publish_raw(RUNNER_QUEUE, body, message_type=message_type, message_id="bad")
        await broker.publish(RUNNER_QUEUE, seam_job())
        inbox = Inbox()
        await harness.consume(RUNNER_QUEUE, inbox)

        handled = await inbox.next()
        dead = await harness.next_dead_letter()

        assert handled.message == seam_job()
        assert (dead.message_id, dead.body) == ("bad", body)
        assert reason in dead.headers[REJECT_REASON_HEADER]
        assert dead.headers[ORIGIN_QUEUE_HEADER] == broker.real_name(RUNNER_QUEUE)
        assert inbox.calls == 1

    async def test_failing_handler_is_dead_lettered_after_max_deliveries(
        self, broker: Broker, harness: Harness
    ) -> None:
        inbox = Inbox(error=RuntimeError("sandbox exploded"))
        await harness.consume(RUNNER_QUEUE, inbox)

        await broker.publish(RUNNER_QUEUE, seam_job(), message_id="m-1")

        dead = await harness.next_dead_letter()
        counts = [inbox.received.get_nowait().delivery_count for _ in range(inbox.calls)]
        assert counts == list(range(1, broker.max_deliveries + 1))
        assert dead.message_id == "m-1"
        reason = dead.headers[REJECT_REASON_HEADER]
        assert f"failed {broker.max_deliveries} times" in reason
        assert "RuntimeError: sandbox exploded" in reason

    async def test_rejected_message_is_dead_lettered_at_once(
        self, broker: Broker, harness: Harness
    ) -> None:
        inbox = Inbox(error=RejectMessage("seam has no output file"))
        await harness.consume(RUNNER_QUEUE, inbox)

        await broker.publish(RUNNER_QUEUE, seam_job())

        dead = await harness.next_dead_letter()
        assert inbox.calls == 1
        assert dead.headers[REJECT_REASON_HEADER] == "seam has no output file"

    async def test_message_carrying_a_delivery_count_over_the_limit_is_dead_lettered(
        self, broker: Broker, harness: Harness
    ) -> None:
        inbox = Inbox()
        await harness.consume(RUNNER_QUEUE, inbox)

        await harness.publish_raw(
            RUNNER_QUEUE,
            encode(seam_job()),
            message_type="SeamJob",
            headers={DELIVERY_COUNT_HEADER: broker.max_deliveries + 1},
        )

        dead = await harness.next_dead_letter()
        assert inbox.calls == 0
        assert "delivered" in dead.headers[REJECT_REASON_HEADER]

    async def test_event_reaches_matching_subscribers_only(self, broker: Broker) -> None:
        mine, other = Events(), Events()
        subscriptions = [
            await broker.subscribe_events("run.run-1.#", mine),
            await broker.subscribe_events("run.other.#", other),
        ]
        seam_event = RunEvent(run_id="run-1", event="seam", seam_id="s1", status="passed")
        other_event = RunEvent(run_id="other", event="finished")

        await broker.publish_event(event_key("run-1", "seam"), seam_event)
        await broker.publish_event(event_key("other", "finished"), other_event)

        assert await mine.next() == seam_event
        assert await other.next() == other_event
        assert mine.received.empty()
        for subscription in subscriptions:
            await subscription.cancel()

    async def test_unroutable_publish_raises_publish_error_without_hanging(
        self, broker: Broker
    ) -> None:
        with pytest.raises(PublishError, match="nowhere"):
            async with asyncio.timeout(WAIT_S):
                await broker.publish("seamq.nowhere", seam_job())

    async def test_cancelled_consumer_receives_nothing_more(
        self, broker: Broker, harness: Harness
    ) -> None:
        inbox = Inbox()
        subscription = await harness.consume(RUNNER_QUEUE, inbox)
        await subscription.cancel()

        await broker.publish(RUNNER_QUEUE, seam_job())

        assert await harness.depth(RUNNER_QUEUE) == 1
        assert inbox.calls == 0

    async def test_job_in_flight_at_cancel_goes_back_without_costing_a_delivery(
        self, broker: Broker, harness: Harness
    ) -> None:
        started, never = asyncio.Event(), asyncio.Event()

        async def slow(delivery: Delivery) -> Sequence[Outgoing]:
            started.set()
            await never.wait()
            return ()

        subscription = await harness.consume(RUNNER_QUEUE, slow)
        await broker.publish(RUNNER_QUEUE, seam_job())
        await asyncio.wait_for(started.wait(), WAIT_S)

        await subscription.cancel()

        inbox = Inbox()
        await harness.consume(RUNNER_QUEUE, inbox)
        again = await inbox.next()
        assert again.message == seam_job()
        assert again.delivery_count == 1

    @pytest.mark.parametrize("queue", [SUBMISSIONS_QUEUE, RUNNER_QUEUE, AUDITOR_QUEUE])
    async def test_deeply_nested_body_is_dead_lettered_on_every_queue_and_the_next_handled(
        self, broker: Broker, harness: Harness, queue: str
    ) -> None:
        body, message_type, reason = MALFORMED["deeply-nested"]
        await harness.publish_raw(queue, body, message_type=message_type, message_id="nested")
        await harness.publish_raw(queue, encode(seam_job()), message_type="SeamJob")
        inbox = Inbox()
        await harness.consume(queue, inbox)

        handled = await inbox.next()
        dead = await harness.next_dead_letter()

        assert handled.message == seam_job()
        assert dead.message_id == "nested"
        assert reason in dead.headers[REJECT_REASON_HEADER]
        assert broker.liveness.healthy()

    async def test_handler_raising_memory_error_costs_a_delivery_not_the_consumer(
        self, broker: Broker, harness: Harness
    ) -> None:
        inbox = Inbox(error=MemoryError())
        await harness.consume(RUNNER_QUEUE, inbox)

        await broker.publish(RUNNER_QUEUE, seam_job(), message_id="m-1")

        dead = await harness.next_dead_letter()
        assert inbox.calls == broker.max_deliveries
        assert "MemoryError" in dead.headers[REJECT_REASON_HEADER]

    async def test_consumer_holding_a_message_too_long_is_reported_stuck(
        self, broker: Broker, harness: Harness
    ) -> None:
        started, never = asyncio.Event(), asyncio.Event()

        async def hangs(delivery: Delivery) -> Sequence[Outgoing]:
            started.set()
            await never.wait()
            return ()

        broker.liveness.stuck_after_s = 0.0
        await harness.consume(RUNNER_QUEUE, hangs)
        await broker.publish(RUNNER_QUEUE, seam_job())
        await asyncio.wait_for(started.wait(), WAIT_S)

        assert not broker.liveness.healthy()
        assert "seamq.runner: one message held" in broker.liveness.problems()[0]
