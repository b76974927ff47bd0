"""Consumers on their own robust channels, how they stop, and event subscriptions.

Each subscription owns a channel, so its prefetch is its own and closing it touches nothing
else; the robust channel re-declares the queue, its bindings and the consumer after a
reconnect (an event subscriber's exclusive queue included, empty: events sent while the
connection was down are lost, as events are not work).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aio_pika import exceptions as amqp_errors
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from shared.brokers.base import EventHandler, Subscription
from shared.contract import RunEvent, decode
from shared.errors import DecodeError

log = structlog.get_logger("seamq.broker.amqp")

# A broker that is down must not stall a shutdown: waiting for it is bounded.
CLOSE_TIMEOUT_S = 5.0

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
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await self._queue.cancel(tag)
        except (TimeoutError, amqp_errors.AMQPError, amqp_errors.ChannelInvalidStateError) as e:
            log.warning("consumer cancel failed", queue=self._queue.name, error=repr(e))
        tasks = list(self._in_flight)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                if self._delete:
                    await self._queue.delete(if_unused=False, if_empty=False)
                await self._channel.close()
        except (TimeoutError, amqp_errors.AMQPError, amqp_errors.ChannelInvalidStateError) as e:
            log.warning("channel close failed", queue=self._queue.name, error=repr(e))


async def subscribe_events(
    channel: AbstractChannel,
    exchange: str,
    pattern: str,
    handler: EventHandler,
    registry: set[QueueSubscription],
) -> QueueSubscription:
    """Bind an exclusive queue to the events exchange; undecodable events are logged and
    dropped, a failing handler is logged and the subscription goes on."""
    declared = await channel.declare_queue(
        f"{exchange}.sub.{uuid.uuid4().hex[:12]}", exclusive=True, auto_delete=True
    )
    await declared.bind(exchange, routing_key=pattern)

    async def on_event(incoming: AbstractIncomingMessage) -> None:
        topic = incoming.routing_key
        try:
            event = decode(incoming.type, incoming.body)
        except DecodeError as e:
            log.warning("undecodable event dropped", topic=topic, reason=e.reason)
            return
        if not isinstance(event, RunEvent):
            log.warning("non-event dropped", topic=topic, type=incoming.type)
            return
        try:
            await handler(event)
        except Exception:  # a subscriber's bug must not stop its subscription
            log.exception("event subscriber failed", topic=topic)

    subscription = QueueSubscription(channel, declared, registry, delete=True)
    await subscription.start(on_event, no_ack=True)
    return subscription
