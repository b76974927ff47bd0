"""The RabbitMQ broker (aio-pika): robust connection, publisher confirms, manual acks.

Publishing: every publish is confirmed and ``mandatory``, so an unroutable message raises
``PublishError`` instead of vanishing; a publish that is not confirmed within
``publish_timeout_s`` (broker down) raises it too, never hangs. A publish cut by a reconnect
is retried within that time (a lost confirm may duplicate a message: ids make it harmless).

Reconnects: consumers and event subscriptions survive a broker restart (the robust
connection re-declares and re-consumes). A handler running when the connection drops is
cancelled; the server redelivers its message, which counts as a delivery (below).

Delivery counting: the ``x-seamq-delivery-count`` header (1 when absent) counts deliveries.
A failing handler's message is republished with the count raised by one (``process`` then
dead-letters it after ``max_deliveries``). A message that arrives *redelivered* was held by a
consumer that went away without acking — typically a runner killed mid-job — so it is
republished with the count raised and the original acked before anything else runs; the
copy is handled when it arrives. A job that kills its runner every time therefore reaches
the dead-letter queue instead of looping. A graceful stop republishes in-flight messages with
their count unchanged, so scaling runners in costs no delivery. With a prefetch above 1, a
consumer that dies also charges a delivery to messages it had received but not started.

Consumer timeout: RabbitMQ closes the channel of a consumer that holds a message longer
than its ``consumer_timeout`` (30 min by default) and redelivers the message, so a job's
``deadline_s`` must stay below it. RabbitMQ 3.10 only has the server-wide setting
(``consumer_timeout`` in rabbitmq.conf, set by ``deploy/provision.sh``); ``consumer_timeout_ms``
is sent as the ``x-consumer-timeout`` consumer argument, honoured from RabbitMQ 3.12 on and
ignored before.

Isolation: ``prefix`` replaces ``seamq`` in every exchange and queue name (tests use one per
test); a virtual host in the URL (``amqp://u:p@host/vhost``) isolates whole deployments.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import aio_pika
import structlog
from aio_pika import exceptions as amqp_errors
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractRobustConnection,
)
from yarl import URL

from shared.brokers.amqp_delivery import AmqpDelivery, delivery_count, new_message
from shared.brokers.amqp_subscriptions import QueueSubscription, subscribe_events
from shared.brokers.amqp_topology import (
    Exchanges,
    Names,
    declare,
    delete,
    purge,
    queue_arguments,
    queue_depth,
)
from shared.brokers.base import Broker, EventHandler, Handler, Subscription, process
from shared.contract import RunEvent, encode
from shared.errors import BrokerError, PublishError
from shared.topology import MAX_DELIVERIES, MAX_PRIORITY

log = structlog.get_logger("seamq.broker.amqp")

_RETRY_AFTER_S = 0.2
# Errors of a connection being lost or restored: the publish is retried within its deadline.
_TRANSIENT = (amqp_errors.ChannelInvalidStateError, amqp_errors.AMQPConnectionError)


class AmqpBroker(Broker):
    """``Broker`` on RabbitMQ; see the module docstring for the delivery policy."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "seamq",
        publish_timeout_s: float = 10.0,
        max_deliveries: int = MAX_DELIVERIES,
        consumer_timeout_ms: int | None = None,
        reconnect_interval_s: float = 2.0,
    ) -> None:
        self.url = url
        self.names = Names(prefix)
        self.publish_timeout_s = publish_timeout_s
        self.max_deliveries = max_deliveries
        self.consumer_timeout_ms = consumer_timeout_ms
        self.reconnect_interval_s = reconnect_interval_s
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchanges: Exchanges | None = None
        self._subscriptions: set[QueueSubscription] = set()

    def real_name(self, queue: str) -> str:
        return self.names.real(queue)

    def __repr__(self) -> str:
        url = str(URL(self.url).with_password(None))
        return f"AmqpBroker({url!r}, prefix={self.names.prefix!r})"

    @property
    def connection(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise BrokerError("AmqpBroker is not started")
        return self._connection

    @property
    def is_connected(self) -> bool:
        """True while the connection is up (false before start and while reconnecting).

        Only reads flags, so a health endpoint may call it from another thread."""
        connection = self._connection
        return (
            connection is not None and not connection.is_closed and connection.connected.is_set()
        )

    async def start(self) -> None:
        if self._connection is None:
            try:
                self._connection = await aio_pika.connect_robust(
                    self.url,
                    client_properties={"connection_name": f"seamq:{self.names.prefix}"},
                    reconnect_interval=self.reconnect_interval_s,
                    timeout=self.publish_timeout_s,
                )
            except (amqp_errors.AMQPError, OSError) as e:
                raise BrokerError(f"cannot connect to {self!r}: {e}") from e
            self._channel = await self._connection.channel(on_return_raises=True)
        assert self._channel is not None
        try:
            self._exchanges = await declare(self._channel, self.names)
        except amqp_errors.ChannelClosed as e:
            raise BrokerError(f"cannot declare the topology on {self!r}: {e}") from e

    async def close(self) -> None:
        for subscription in list(self._subscriptions):
            await subscription.cancel()
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = self._exchanges = None

    def _started(self) -> Exchanges:
        if self._exchanges is None:
            raise BrokerError("AmqpBroker is not started")
        return self._exchanges

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
        message = new_message(
            body,
            message_type=message_type,
            message_id=message_id,
            correlation_id=correlation_id,
            priority=max(0, min(priority, MAX_PRIORITY)),
            headers=headers,
        )
        await self._send(self._started().work, self.names.real(queue), message)

    async def publish_event(self, topic: str, event: RunEvent) -> None:
        message = new_message(
            encode(event), message_type="RunEvent", correlation_id=event.run_id, persistent=False
        )
        await self._send(self._started().events, topic, message, mandatory=False)

    async def republish(self, queue: str, message: aio_pika.Message) -> None:
        await self._send(self._started().default, self.names.real(queue), message)

    async def send_dead_letter(self, message: aio_pika.Message) -> None:
        await self._send(self._started().dead_letter, "", message)

    async def _send(
        self,
        exchange: AbstractExchange,
        routing_key: str,
        message: aio_pika.Message,
        *,
        mandatory: bool = True,
    ) -> None:
        where = f"{exchange.name or '(default exchange)'} -> {routing_key!r}"
        try:
            async with asyncio.timeout(self.publish_timeout_s):
                for attempt in itertools.count(1):
                    try:
                        await exchange.publish(message, routing_key, mandatory=mandatory)
                        return
                    except _TRANSIENT as e:
                        if self._connection is None or self._connection.is_closed:
                            raise
                        if attempt == 1:
                            log.warning("publish interrupted; retrying", where=where, error=str(e))
                        await asyncio.sleep(_RETRY_AFTER_S)
        except TimeoutError as e:
            raise PublishError(f"{where}: not confirmed within {self.publish_timeout_s} s") from e
        except amqp_errors.PublishError as e:
            raise PublishError(f"{where}: unroutable, no queue is bound for it") from e
        except (amqp_errors.AMQPError, amqp_errors.ChannelInvalidStateError) as e:
            raise PublishError(f"{where}: {type(e).__name__}: {e}") from e

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> Subscription:
        channel = await self.connection.channel(publisher_confirms=False)
        await channel.set_qos(prefetch_count=prefetch)
        declared = await channel.declare_queue(
            self.names.real(queue), durable=True, arguments=queue_arguments(self.names, queue)
        )

        async def on_message(incoming: AbstractIncomingMessage) -> None:
            raw = AmqpDelivery(incoming, queue, self)
            try:
                if incoming.redelivered:
                    await self._count_redelivery(raw)
                else:
                    await process(self, raw, handler)
            except (BrokerError, amqp_errors.AMQPError, amqp_errors.ChannelInvalidStateError) as e:
                log.error("delivery not settled; giving it back", queue=queue, error=str(e))
                await raw.release()
            except Exception as e:  # never leave a message unacked on a live consumer: the
                # nack brings it back redelivered, which counts towards the delivery limit
                log.exception("delivery failed; giving it back", queue=queue, error=repr(e)[:200])
                await raw.release()

        arguments = (
            {"x-consumer-timeout": self.consumer_timeout_ms}
            if self.consumer_timeout_ms is not None
            else None
        )
        subscription = QueueSubscription(channel, declared, self._subscriptions)
        await subscription.start(on_message, no_ack=False, arguments=arguments)
        return subscription

    async def _count_redelivery(self, raw: AmqpDelivery) -> None:
        count = delivery_count(raw.incoming.headers)
        log.warning(
            "redelivered without an ack; counting a delivery",
            queue=raw.queue,
            message_id=raw.message_id,
            delivery_count=count + 1,
        )
        await raw.retry(f"redelivered after delivery {count}")

    async def subscribe_events(self, pattern: str, handler: EventHandler) -> Subscription:
        channel = await self.connection.channel(publisher_confirms=False)
        return await subscribe_events(
            channel, self.names.events_exchange, pattern, handler, self._subscriptions
        )

    async def depth(self, queue: str) -> int:
        """Messages ready in a queue (unprefixed name), not counting unacknowledged ones."""
        try:
            async with await self._admin_channel() as channel:
                return await queue_depth(channel, self.names.real(queue))
        except amqp_errors.ChannelNotFoundEntity as e:
            raise BrokerError(f"no queue {queue!r}") from e

    async def purge(self) -> None:
        """Drop every message waiting in the topology's queues (dead letters included)."""
        async with await self._admin_channel() as channel:
            await purge(channel, self.names)

    async def delete_topology(self) -> None:
        """Stop this broker's consumers, then delete its prefix's queues and exchanges (test
        clean-up; messages are lost)."""
        for subscription in list(self._subscriptions):
            await subscription.cancel()
        async with await self._admin_channel() as channel:
            await delete(channel, self.names)

    async def _admin_channel(self) -> AbstractChannel:
        """A short-lived channel, so that a failed passive declare closes nothing else."""
        await self.connection.ready()
        return await self.connection.channel(publisher_confirms=False)
