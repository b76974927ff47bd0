"""The broker scenarios against the in-memory broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from shared.brokers.base import Handler, Subscription
from shared.brokers.memory import InMemoryBroker
from shared.topology import DEAD_LETTER_QUEUE

from .base_suite import BrokerSuite
from .support import WAIT_S, DeadLetter


class MemoryHarness:
    """``Harness`` over an ``InMemoryBroker``."""

    def __init__(self, broker: InMemoryBroker) -> None:
        self.broker = broker
        self._subscriptions: list[Subscription] = []

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> Subscription:
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

    async def next_dead_letter(self) -> DeadLetter:
        stored = await asyncio.wait_for(self.broker.queue(DEAD_LETTER_QUEUE).get(), WAIT_S)
        return DeadLetter(stored.body, stored.message_type, stored.message_id, stored.headers)

    async def depth(self, queue: str) -> int:
        return self.broker.depth(queue)

    async def close(self) -> None:
        for subscription in self._subscriptions:
            await subscription.cancel()
        await self.broker.close()


class TestMemoryBroker(BrokerSuite):
    @pytest.fixture
    async def harness(self) -> AsyncIterator[MemoryHarness]:
        broker = InMemoryBroker()
        await broker.start()
        harness = MemoryHarness(broker)
        yield harness
        await harness.close()

    @pytest.fixture
    def broker(self, harness: MemoryHarness) -> InMemoryBroker:
        return harness.broker
