"""A consumer on its own robust channel, and how it stops.

Each subscription owns a channel, so its prefetch is its own and closing it touches nothing
else; the robust channel re-declares the queue and restores the consumer after a reconnect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aio_pika import exceptions as amqp_errors
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from shared.brokers.base import Subscription

log = structlog.get_logger("seamq.broker.amqp")

Callback = Callable[[AbstractIncomingMessage], Awaitable[None]]


class QueueSubscription(Subscription):
    """Consumes one queue; ``cancel`` stops deliveries, then cancels the handlers in flight
    (``process`` gives their messages back) before closing the channel."""

    def __init__(
        self,
        channel: AbstractChannel,
        queue: AbstractQueue,
        registry: set[QueueSubscription],
        *,
        delete: bool = False,
    ) -> None:
        self._channel = channel
        self._queue = queue
        self._registry = registry
        self._delete = delete
        self._tag: str | None = None
        self._in_flight: set[asyncio.Task[Any]] = set()

    async def start(
        self, callback: Callback, *, no_ack: bool, arguments: dict[str, Any] | None = None
    ) -> None:
        async def tracked(incoming: AbstractIncomingMessage) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._in_flight.add(task)
            try:
                await callback(incoming)
            finally:
                self._in_flight.discard(task)

        self._tag = await self._queue.consume(tracked, no_ack=no_ack, arguments=arguments)
        self._registry.add(self)

    async def cancel(self) -> None:
        if self._tag is None:
            return
        tag, self._tag = self._tag, None
        self._registry.discard(self)
        try:
            await self._queue.cancel(tag)
        except (amqp_errors.AMQPError, amqp_errors.ChannelInvalidStateError) as e:
            log.warning("consumer cancel failed", queue=self._queue.name, error=str(e))
        tasks = list(self._in_flight)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            if self._delete:
                await self._queue.delete(if_unused=False, if_empty=False)
            await self._channel.close()
        except (amqp_errors.AMQPError, amqp_errors.ChannelInvalidStateError) as e:
            log.warning("channel close failed", queue=self._queue.name, error=str(e))
