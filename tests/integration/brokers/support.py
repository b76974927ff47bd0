"""Helpers of the broker suite: sample messages, recording handlers, the harness protocol."""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.brokers.base import Broker, Delivery, Handler, Outgoing, Subscription
from shared.contract import (
    MAX_MESSAGE_BYTES,
    ExecutionSpec,
    Priority,
    ProjectSource,
    RunEvent,
    Seam,
    SeamJob,
    encode,
)

WAIT_S = 15.0


@dataclass(frozen=True)
class DeadLetter:
    body: bytes
    message_type: str | None
    message_id: str
    headers: Mapping[str, Any]


class Harness(abc.ABC):
    """Test access to a broker beyond the ``Broker`` interface."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self._subscriptions: list[Subscription] = []

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> Subscription:
        """``broker.consume``, cancelled at teardown if the test did not."""
        subscription = await self.broker.consume(queue, handler, prefetch=prefetch)
        self._subscriptions.append(subscription)
        return subscription

    async def publish_raw(
        self,
        queue: str,
        body: bytes,
        *,
        message_type: str | None,
        priority: int = 0,
        message_id: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> None:
        await self.broker.publish_raw(
            queue,
            body,
            message_type=message_type,
            priority=priority,
            message_id=message_id,
            headers=headers,
        )

    async def cancel_subscriptions(self) -> None:
        for subscription in self._subscriptions:
            await subscription.cancel()

    @abc.abstractmethod
    async def next_dead_letter(self) -> DeadLetter:
        """The next message on the dead-letter queue (waits up to ``WAIT_S``)."""

    @abc.abstractmethod
    async def depth(self, queue: str) -> int: ...


def seam_job(job_id: str = "job-1", run_id: str = "run-1") -> SeamJob:
    seam = Seam(id=job_id, title="API -> cache", line=3, priority=Priority.P1, output_file="t.py")
    return SeamJob(
        job_id=job_id,
        run_id=run_id,
        seam=seam,
        project=ProjectSource(path="/srv/project"),
        plan_path="TEST_PLAN.md",
        execution=ExecutionSpec(),
    )


class Inbox:
    """A handler that records deliveries, then returns ``replies`` or raises ``error``."""

    def __init__(
        self, replies: Sequence[Outgoing] = (), error: BaseException | None = None
    ) -> None:
        self.replies = tuple(replies)
        self.error = error
        self.received: asyncio.Queue[Delivery] = asyncio.Queue()
        self.calls = 0

    async def __call__(self, delivery: Delivery) -> Sequence[Outgoing]:
        self.calls += 1
        await self.received.put(delivery)
        if self.error is not None:
            raise self.error
        return self.replies

    async def next(self) -> Delivery:
        return await asyncio.wait_for(self.received.get(), WAIT_S)


class Events:
    """An event handler that records events."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[RunEvent] = asyncio.Queue()

    async def __call__(self, event: RunEvent) -> None:
        await self.received.put(event)

    async def next(self) -> RunEvent:
        return await asyncio.wait_for(self.received.get(), WAIT_S)


MALFORMED = {
    "invalid-json": (b"{not json", "SeamJob", "not JSON"),
    "unknown-type": (encode(seam_job()), "SeamJobV9", "unknown message type"),
    "other-major-version": (
        encode(seam_job()).replace(b'"schema_version":"1.0"', b'"schema_version":"2.0"'),
        "SeamJob",
        "schema major version",
    ),
    "oversized": (b" " * (MAX_MESSAGE_BYTES + 1), "SeamJob", "exceeds"),
    # 1.2 MB of nesting: json.loads raises RecursionError, not a JSONDecodeError
    "deeply-nested": (b'{"a":' * 200_000 + b"1" + b"}" * 200_000, "SeamJob", "too deeply nested"),
}
