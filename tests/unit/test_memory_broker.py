"""What the in-memory broker does beyond the shared suite: topic matching and bookkeeping."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from shared.brokers.base import Delivery, Outgoing
from shared.brokers.memory import InMemoryBroker, topic_matches
from shared.contract import RunEvent
from shared.errors import PublishError
from shared.topology import REJECT_REASON_HEADER, RESULTS_QUEUE


@pytest.mark.parametrize(
    ("pattern", "topic", "matches"),
    [
        ("run.r1.#", "run.r1.seam", True),
        ("run.r1.#", "run.r1", True),
        ("run.r1.#", "run.r2.seam", False),
        ("run.*.seam", "run.r1.seam", True),
        ("run.*.seam", "run.r1.batch", False),
        ("run.*", "run.r1.seam", False),
        ("#", "run.r1.seam", True),
        ("#.finished", "run.r1.finished", True),
        ("run.r1.seam", "run.r1.seam", True),
    ],
)
def test_topic_matching_follows_amqp_rules(pattern: str, topic: str, matches: bool) -> None:
    assert topic_matches(pattern, topic) is matches


async def test_publish_to_an_undeclared_queue_is_unroutable() -> None:
    broker = InMemoryBroker()
    await broker.start()

    with pytest.raises(PublishError, match="unroutable"):
        await broker.publish("seamq.nowhere", RunEvent(run_id="r1", event="seam"))


async def test_message_in_a_handler_is_unacked_until_it_finishes() -> None:
    broker = InMemoryBroker()
    await broker.start()
    inside, release = asyncio.Event(), asyncio.Event()

    async def handler(delivery: Delivery) -> Sequence[Outgoing]:
        inside.set()
        await release.wait()
        return ()

    subscription = await broker.consume(RESULTS_QUEUE, handler)
    await broker.publish(RESULTS_QUEUE, RunEvent(run_id="r1", event="seam"), message_id="m-1")
    await asyncio.wait_for(inside.wait(), 5)
    held = set(broker.unacked)
    release.set()
    await subscription.cancel()

    assert held == {"m-1"}
    assert broker.unacked == set()


async def test_dead_letters_are_listed_with_their_reason() -> None:
    broker = InMemoryBroker()
    await broker.start()
    handled = asyncio.Event()

    async def handler(delivery: Delivery) -> Sequence[Outgoing]:
        handled.set()
        return ()

    await broker.publish_raw(RESULTS_QUEUE, b"[]", message_type="RunEvent", message_id="bad")
    await broker.publish(RESULTS_QUEUE, RunEvent(run_id="r1", event="seam"))
    subscription = await broker.consume(RESULTS_QUEUE, handler)
    await asyncio.wait_for(handled.wait(), 5)
    await subscription.cancel()

    [dead] = broker.dead_letters()
    assert dead.message_id == "bad"
    assert dead.headers[REJECT_REASON_HEADER] == "body is not a JSON object"


async def test_failing_event_subscriber_does_not_stop_the_others() -> None:
    broker = InMemoryBroker()
    received: list[RunEvent] = []

    async def failing(event: RunEvent) -> None:
        raise RuntimeError("subscriber bug")

    async def recording(event: RunEvent) -> None:
        received.append(event)

    await broker.subscribe_events("run.#", failing)
    await broker.subscribe_events("run.#", recording)
    event = RunEvent(run_id="r1", event="finished")

    await broker.publish_event("run.r1.finished", event)

    assert received == [event]
