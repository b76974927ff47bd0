"""aio-pika messages with the contract's properties, and the ``RawDelivery`` adapter over an
incoming message that ``process`` works with.

Retries, requeues and dead letters are new publishes followed by an ack of the original,
never ``basic.reject``: only a new publish can carry the delivery count and the reason
header. A crash between the confirmed publish and the ack duplicates the message, which the
job and result ids make harmless.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aio_pika
import structlog
from aio_pika.abc import AbstractIncomingMessage
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError

from shared.errors import BrokerError
from shared.topology import DELIVERY_COUNT_HEADER, ORIGIN_QUEUE_HEADER, REJECT_REASON_HEADER

log = structlog.get_logger("seamq.broker.amqp")

JSON = "application/json"
APP_ID = "seamq"
MAX_REASON_CHARS = 2_000


class Outlet(Protocol):
    """The publishing side of the broker, as a delivery needs it."""

    async def republish(self, queue: str, message: aio_pika.Message) -> None:
        """Put a message on a queue (unprefixed name), with publisher confirms."""

    async def send_dead_letter(self, message: aio_pika.Message) -> None:
        """Put a message on the dead-letter exchange, with publisher confirms."""

    def real_name(self, queue: str) -> str:
        """A queue's name on the server (with the configured prefix)."""


def delivery_count(headers: Mapping[str, Any]) -> int:
    """The ``x-seamq-delivery-count`` header, 1 when absent or unreadable."""
    value = headers.get(DELIVERY_COUNT_HEADER, 1)
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def new_message(
    body: bytes,
    *,
    message_type: str | None,
    message_id: str | None = None,
    correlation_id: str | None = None,
    priority: int = 0,
    headers: dict[str, Any] | None = None,
    persistent: bool = True,
) -> aio_pika.Message:
    """A message with the contract's AMQP properties (JSON, type, ids, delivery mode)."""
    return aio_pika.Message(
        body,
        headers=dict(headers or {}),
        content_type=JSON,
        delivery_mode=(
            aio_pika.DeliveryMode.PERSISTENT if persistent else aio_pika.DeliveryMode.NOT_PERSISTENT
        ),
        priority=priority,
        correlation_id=correlation_id,
        message_id=message_id or uuid.uuid4().hex,
        timestamp=time.time(),
        type=message_type,
        app_id=APP_ID,
    )


def copy_message(incoming: AbstractIncomingMessage, headers: dict[str, Any]) -> aio_pika.Message:
    """A new message with the original's body and properties and the given headers."""
    return aio_pika.Message(
        incoming.body,
        headers=headers,
        content_type=incoming.content_type,
        content_encoding=incoming.content_encoding,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        priority=incoming.priority,
        correlation_id=incoming.correlation_id,
        message_id=incoming.message_id,
        timestamp=incoming.timestamp,
        type=incoming.type,
        app_id=incoming.app_id,
    )


@dataclass
class AmqpDelivery:
    """One message taken from ``queue`` (the unprefixed topology name)."""

    incoming: AbstractIncomingMessage
    queue: str
    outlet: Outlet

    @property
    def body(self) -> bytes:
        return self.incoming.body

    @property
    def message_type(self) -> str | None:
        return self.incoming.type

    @property
    def message_id(self) -> str:
        return self.incoming.message_id or f"delivery-{self.incoming.delivery_tag}"

    @property
    def correlation_id(self) -> str | None:
        return self.incoming.correlation_id

    @property
    def priority(self) -> int:
        return self.incoming.priority or 0

    @property
    def headers(self) -> Mapping[str, Any]:
        return dict(self.incoming.headers)

    @property
    def delivery_count(self) -> int:
        return delivery_count(self.incoming.headers)

    def _channel_open(self) -> bool:
        """False once the channel is gone: the server then requeues the message by itself."""
        try:
            return not self.incoming.channel.is_closed
        except ChannelInvalidStateError:
            return False

    async def ack(self) -> None:
        await self.incoming.ack()

    async def requeue(self) -> None:
        """Put the message back with the same count (a shutdown is not a failed delivery).

        Never raises: if the copy cannot be published, a plain nack gives the message back
        (and it then counts as redelivered); if even that fails, the channel is gone and the
        server requeues the message by itself.
        """
        if not self._channel_open():
            return
        try:
            await self.outlet.republish(self.queue, copy_message(self.incoming, dict(self.headers)))
            await self.incoming.ack()
        except (BrokerError, AMQPError, ChannelInvalidStateError) as e:
            log.warning("requeue by republishing failed; nacking", queue=self.queue, error=str(e))
            await self.release()

    async def release(self) -> None:
        """Give the message back with a nack; it returns marked redelivered, which counts."""
        if not self._channel_open():
            return
        try:
            await self.incoming.nack(requeue=True)
        except (AMQPError, ChannelInvalidStateError) as e:
            log.warning("nack failed; the server requeues", error=str(e))

    async def retry(self, reason: str) -> None:
        headers = {**self.headers, DELIVERY_COUNT_HEADER: self.delivery_count + 1}
        await self.outlet.republish(self.queue, copy_message(self.incoming, headers))
        await self.incoming.ack()

    async def dead_letter(self, reason: str) -> None:
        headers = {
            **self.headers,
            REJECT_REASON_HEADER: reason[:MAX_REASON_CHARS],
            ORIGIN_QUEUE_HEADER: self.outlet.real_name(self.queue),
        }
        await self.outlet.send_dead_letter(copy_message(self.incoming, headers))
        await self.incoming.ack()
