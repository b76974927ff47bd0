"""``Harness`` over an ``AmqpBroker``: a second, plain aio-pika connection reads what the
broker's interface does not show (the dead-letter queue, raw messages)."""

from __future__ import annotations

import asyncio

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

from shared.brokers.amqp import AmqpBroker

from .support import WAIT_S, DeadLetter, Harness


class AmqpHarness(Harness):
    broker: AmqpBroker

    def __init__(self, broker: AmqpBroker, url: str) -> None:
        super().__init__(broker)
        self.url = url
        self._dead: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None

    async def open(self) -> None:
        self._connection = await aio_pika.connect(self.url)
        self._channel = await self._connection.channel()
        dead = await self._channel.declare_queue(self.broker.names.dead_letter_queue, passive=True)
        await dead.consume(self._dead.put, no_ack=True)

    @property
    def channel(self) -> AbstractChannel:
        assert self._channel is not None, "harness not open"
        return self._channel

    @property
    def connection(self) -> AbstractConnection:
        assert self._connection is not None, "harness not open"
        return self._connection

    async def next_dead_letter(self, timeout_s: float = WAIT_S) -> DeadLetter:
        message = await asyncio.wait_for(self._dead.get(), timeout_s)
        return DeadLetter(message.body, message.type, message.message_id or "", message.headers)

    async def depth(self, queue: str) -> int:
        return await self.broker.depth(queue)

    async def close(self) -> None:
        await self.cancel_subscriptions()
        if self._connection is not None and not self._connection.is_closed:
            await self._connection.close()
