"""An in-memory broker for the embedded mode and tests: same semantics, one process."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from shared.brokers.base import Broker, EventHandler, Handler, Subscription, process
from shared.contract import RunEvent
from shared.errors import PublishError
from shared.topology import (
    DEAD_LETTER_QUEUE,
    DELIVERY_COUNT_HEADER,
    ORIGIN_QUEUE_HEADER,
    REJECT_REASON_HEADER,
    WORK_QUEUES,
)

log = structlog.get_logger("seamq.broker.memory")


@dataclass
class StoredMessage:
    body: bytes
    message_type: str | None
    message_id: str
    correlation_id: str | None
    priority: int
    headers: dict[str, Any] = field(default_factory=dict)


class _Queue:
    """A priority queue of stored messages: higher priority first, FIFO within a priority."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, StoredMessage]] = []
        self._seq = itertools.count()
        self._ready = asyncio.Condition()

    async def put(self, message: StoredMessage) -> None:
        async with self._ready:
            heapq.heappush(self._heap, (-message.priority, next(self._seq), message))
            self._ready.notify()

    async def get(self) -> StoredMessage:
        async with self._ready:
            await self._ready.wait_for(lambda: bool(self._heap))
            return heapq.heappop(self._heap)[2]

    def __len__(self) -> int:
        return len(self._heap)

    def snapshot(self) -> list[StoredMessage]:
        return [item[2] for item in sorted(self._heap)]


@dataclass
class _MemoryDelivery:
    broker: InMemoryBroker
    stored: StoredMessage
    queue: str

    @property
    def body(self) -> bytes:
        return self.stored.body

    @property
    def message_type(self) -> str | None:
        return self.stored.message_type

    @property
    def message_id(self) -> str:
        return self.stored.message_id

    @property
    def correlation_id(self) -> str | None:
        return self.stored.correlation_id

    @property
    def priority(self) -> int:
        return self.stored.priority

    @property
    def headers(self) -> Mapping[str, Any]:
        return self.stored.headers

    @property
    def delivery_count(self) -> int:
        return int(self.stored.headers.get(DELIVERY_COUNT_HEADER, 1))

    async def ack(self) -> None:
        self.broker.unacked.discard(self.stored.message_id)

    async def requeue(self) -> None:
        self.broker.unacked.discard(self.stored.message_id)
        await self.broker.queue(self.queue).put(self.stored)

    async def retry(self, reason: str) -> None:
        self.broker.unacked.discard(self.stored.message_id)
        headers = {**self.stored.headers, DELIVERY_COUNT_HEADER: self.delivery_count + 1}
        again = StoredMessage(
            body=self.stored.body,
            message_type=self.stored.message_type,
            message_id=self.stored.message_id,
            correlation_id=self.stored.correlation_id,
            priority=self.stored.priority,
            headers=headers,
        )
        await self.broker.queue(self.queue).put(again)

    async def dead_letter(self, reason: str) -> None:
        self.broker.unacked.discard(self.stored.message_id)
        headers = {
            **self.stored.headers,
            REJECT_REASON_HEADER: reason,
            ORIGIN_QUEUE_HEADER: self.queue,
        }
        dead = StoredMessage(
            body=self.stored.body,
            message_type=self.stored.message_type,
            message_id=self.stored.message_id,
            correlation_id=self.stored.correlation_id,
            priority=0,
            headers=headers,
        )
        await self.broker.queue(DEAD_LETTER_QUEUE).put(dead)


class _TaskSubscription(Subscription):
    def __init__(self, tasks: list[asyncio.Task[None]], on_cancel: Any = None) -> None:
        self._tasks = tasks
        self._on_cancel = on_cancel

    async def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._on_cancel is not None:
            self._on_cancel()


class InMemoryBroker(Broker):
    """Queues and a topic exchange inside one event loop."""

    def __init__(self) -> None:
        self._queues: dict[str, _Queue] = {}
        self._event_handlers: list[tuple[str, EventHandler]] = []
        self.unacked: set[str] = set()
        self._started = False

    def queue(self, name: str) -> _Queue:
        if name not in self._queues:
            self._queues[name] = _Queue()
        return self._queues[name]

    def depth(self, name: str) -> int:
        return len(self.queue(name))

    def dead_letters(self) -> list[StoredMessage]:
        return self.queue(DEAD_LETTER_QUEUE).snapshot()

    async def start(self) -> None:
        for name in (*WORK_QUEUES, DEAD_LETTER_QUEUE):
            self.queue(name)
        self._started = True

    async def close(self) -> None:
        self._started = False

    async def publish_raw(
        self,
        queue: str,
        body: bytes,
        *,
        message_type: str | None,
        priority: int = 0,
        message_id: str | None = None,
        correlation_id: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> None:
        """Publish bytes as they are (tests use this to send malformed messages)."""
        if queue not in self._queues:
            raise PublishError(f"no queue {queue!r}: message is unroutable")
        stored = StoredMessage(
            body=body,
            message_type=message_type,
            message_id=message_id or uuid.uuid4().hex,
            correlation_id=correlation_id,
            priority=priority,
            headers=dict(headers or {}),
        )
        await self.queue(queue).put(stored)

    async def publish_event(self, topic: str, event: RunEvent) -> None:
        for pattern, handler in list(self._event_handlers):
            if topic_matches(pattern, topic):
                try:
                    await handler(event)
                except Exception:  # a subscriber must not break publishers
                    log.exception("event subscriber failed", topic=topic)

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> Subscription:
        source = self.queue(queue)

        async def worker() -> None:
            while True:
                stored = await source.get()
                self.unacked.add(stored.message_id)
                delivery = _MemoryDelivery(self, stored, queue)
                try:
                    await process(self, delivery, handler)
                except Exception as e:  # settling failed: the message goes, not the consumer
                    log.exception("delivery not settled; dead-lettering it", queue=queue)
                    await delivery.dead_letter(f"not settled: {type(e).__name__}: {e}"[:2000])

        tasks = [asyncio.create_task(worker(), name=f"consume:{queue}") for _ in range(prefetch)]
        return _TaskSubscription(tasks)

    async def subscribe_events(self, pattern: str, handler: EventHandler) -> Subscription:
        entry = (pattern, handler)
        self._event_handlers.append(entry)
        return _TaskSubscription([], on_cancel=lambda: self._event_handlers.remove(entry))


def topic_matches(pattern: str, topic: str) -> bool:
    """AMQP topic matching: ``*`` is one word, ``#`` is zero or more words."""
    return _match(pattern.split("."), topic.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])
