"""The broker scenarios against the in-memory broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from shared.brokers.memory import InMemoryBroker
from shared.topology import DEAD_LETTER_QUEUE

from .base_suite import BrokerSuite
from .support import WAIT_S, DeadLetter, Harness


class MemoryHarness(Harness):
    """``Harness`` over an ``InMemoryBroker``."""

    broker: InMemoryBroker

    async def next_dead_letter(self) -> DeadLetter:
        stored = await asyncio.wait_for(self.broker.queue(DEAD_LETTER_QUEUE).get(), WAIT_S)
        return DeadLetter(stored.body, stored.message_type, stored.message_id, stored.headers)

    async def depth(self, queue: str) -> int:
        return self.broker.depth(queue)

    async def close(self) -> None:
        await self.cancel_subscriptions()
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
