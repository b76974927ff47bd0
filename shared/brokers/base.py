"""The broker seam: a small interface that the AMQP and in-memory brokers implement.

Handlers never see transport objects: they receive a ``Delivery`` holding a decoded contract
model and return the messages to publish. ``process`` applies the delivery policy shared by
every implementation: decode or dead-letter, publish the handler's output before acking,
retry a failing handler a bounded number of times, dead-letter what cannot succeed.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from shared.brokers.liveness import Liveness
from shared.contract import Message, RunEvent, decode, encode
from shared.errors import DecodeError, RejectMessage
from shared.topology import MAX_DELIVERIES

log = structlog.get_logger("seamq.broker")


@dataclass(frozen=True)
class Outgoing:
    """A message a handler wants published: to a queue, or to the events exchange by topic."""

    message: Message
    queue: str | None = None
    topic: str | None = None
    priority: int = 0


@dataclass(frozen=True)
class Delivery:
    """A decoded message as handlers see it."""

    message: Message
    queue: str
    message_id: str
    correlation_id: str | None = None
    priority: int = 0
    delivery_count: int = 1
    headers: Mapping[str, Any] = field(default_factory=dict)


Handler = Callable[[Delivery], Awaitable[Sequence[Outgoing]]]
EventHandler = Callable[[RunEvent], Awaitable[None]]


class RawDelivery(Protocol):
    """What a broker implementation hands to ``process`` (read-only: properties will do)."""

    @property
    def queue(self) -> str: ...
    @property
    def body(self) -> bytes: ...
    @property
    def message_type(self) -> str | None: ...
    @property
    def message_id(self) -> str: ...
    @property
    def correlation_id(self) -> str | None: ...
    @property
    def priority(self) -> int: ...
    @property
    def delivery_count(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, Any]: ...

    async def ack(self) -> None: ...

    async def requeue(self) -> None:
        """Give the message back unchanged (shutdown): another consumer takes it."""

    async def retry(self, reason: str) -> None:
        """Put the message back with its delivery count raised by one."""

    async def dead_letter(self, reason: str) -> None: ...


class Subscription(abc.ABC):
    @abc.abstractmethod
    async def cancel(self) -> None:
        """Stop consuming; messages in flight are finished or requeued."""


class Broker(abc.ABC):
    """The narrow interface every service uses to talk to the others."""

    max_deliveries: int = MAX_DELIVERIES

    @property
    def liveness(self) -> Liveness:
        """In-flight deliveries and dead consumers, for ``/healthz``."""
        found: Liveness | None = self.__dict__.get("_liveness")
        if found is None:
            found = self.__dict__["_liveness"] = Liveness()
        return found

    def real_name(self, queue: str) -> str:
        """The name a queue has on the server (with the configured prefix)."""
        return queue

    @abc.abstractmethod
    async def start(self) -> None:
        """Connect and declare the topology (idempotent)."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    async def publish(
        self,
        queue: str,
        message: Message,
        *,
        priority: int = 0,
        message_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        """Publish to a work queue; returns once the broker has taken responsibility."""
        await self.publish_raw(
            queue,
            encode(message),
            message_type=type(message).__name__,
            priority=priority,
            message_id=message_id,
            correlation_id=correlation_id or getattr(message, "run_id", None),
        )

    @abc.abstractmethod
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
        """Publish bytes as they are, with the contract's AMQP properties."""

    @abc.abstractmethod
    async def publish_event(self, topic: str, event: RunEvent) -> None:
        """Publish on the events topic exchange."""

    @abc.abstractmethod
    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> Subscription:
        """Deliver the queue's messages to ``handler``, at most ``prefetch`` at a time."""

    @abc.abstractmethod
    async def subscribe_events(self, pattern: str, handler: EventHandler) -> Subscription:
        """Receive events whose topic matches an AMQP topic pattern (``run.<id>.#``)."""

    async def send(self, outgoing: Outgoing) -> None:
        if outgoing.topic is not None:
            assert isinstance(outgoing.message, RunEvent)
            await self.publish_event(outgoing.topic, outgoing.message)
        else:
            assert outgoing.queue is not None
            await self.publish(
                outgoing.queue,
                outgoing.message,
                priority=outgoing.priority,
                correlation_id=getattr(outgoing.message, "run_id", None),
            )

    async def __aenter__(self) -> Broker:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _bind_context(message: Message, message_id: str) -> None:
    structlog.contextvars.clear_contextvars()
    context = {
        key: getattr(message, key)
        for key in ("run_id", "job_id", "seam_id")
        if getattr(message, key, None) is not None
    }
    seam = getattr(message, "seam", None)
    if seam is not None and "seam_id" not in context:
        context["seam_id"] = seam.id
    structlog.contextvars.bind_contextvars(message_id=message_id, **context)


async def process(broker: Broker, raw: RawDelivery, handler: Handler) -> None:
    """Decode, run the handler, publish its output, then ack; dead-letter what cannot work."""
    with broker.liveness.handling(raw.queue):
        await _process(broker, raw, handler)


async def _process(broker: Broker, raw: RawDelivery, handler: Handler) -> None:
    try:
        message = decode(raw.message_type, raw.body)
    except DecodeError as e:
        log.warning("message rejected", queue=raw.queue, reason=e.reason)
        await raw.dead_letter(e.reason)
        return
    except Exception as e:  # poison: whatever decoding raised, the message goes, not the consumer
        reason = f"cannot decode: {type(e).__name__}: {str(e)[:200]}"
        log.exception("message rejected", queue=raw.queue, reason=reason)
        await raw.dead_letter(reason)
        return
    _bind_context(message, raw.message_id)
    if raw.delivery_count > broker.max_deliveries:
        reason = f"delivered {raw.delivery_count} times (limit {broker.max_deliveries})"
        log.error("message dead-lettered", queue=raw.queue, reason=reason)
        await raw.dead_letter(reason)
        return
    delivery = Delivery(
        message=message,
        queue=raw.queue,
        message_id=raw.message_id,
        correlation_id=raw.correlation_id,
        priority=raw.priority,
        delivery_count=raw.delivery_count,
        headers=raw.headers,
    )
    try:
        outgoing = await handler(delivery)
        for item in outgoing:
            await broker.send(item)
    except RejectMessage as e:
        log.warning("message rejected by handler", queue=raw.queue, reason=e.reason)
        for reply in e.replies:
            await broker.send(reply)
        await raw.dead_letter(e.reason)
        return
    except asyncio.CancelledError:
        await raw.requeue()
        raise
    except Exception as e:  # a handler bug must not stop the consumer
        reason = f"{type(e).__name__}: {e}"
        log.exception("handler failed", queue=raw.queue, delivery_count=raw.delivery_count)
        if raw.delivery_count >= broker.max_deliveries:
            await raw.dead_letter(f"handler failed {raw.delivery_count} times; last: {reason}")
        else:
            await raw.retry(reason)
        return
    finally:
        structlog.contextvars.clear_contextvars()
    await raw.ack()
