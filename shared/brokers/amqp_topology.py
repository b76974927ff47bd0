"""RabbitMQ topology for ``AmqpBroker``: prefixed names, idempotent declaration, inspection.

Every name in ``shared.topology`` starts with ``seamq``; a broker built with another prefix
(tests use one per test) substitutes it, so ``seamq.runner`` becomes ``t1a2b.runner``.
Callers always pass the unprefixed constants; only this module sees the real names.

Layout: the direct work exchange routes each work queue by its own name; every work queue
is durable and names the dead-letter exchange; the runner queue is a classic priority queue
(``x-max-priority`` 9: P0 jobs overtake P1); the fanout dead-letter exchange feeds the dead
queue; the topic exchange carries events as ``run.<run_id>.<event>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange

from shared.topology import (
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_QUEUE,
    EVENTS_EXCHANGE,
    MAX_PRIORITY,
    RUNNER_QUEUE,
    WORK_EXCHANGE,
    WORK_QUEUES,
    prefixed,
)

_BASE = "seamq"
PRIORITY_QUEUES = frozenset({RUNNER_QUEUE})


@dataclass(frozen=True)
class Names:
    """Maps the topology's ``seamq.*`` constants to the names declared on the server."""

    prefix: str = _BASE

    def real(self, name: str) -> str:
        """The server-side name of an exchange or queue named in ``shared.topology``."""
        return prefixed(name, self.prefix)

    @property
    def work_exchange(self) -> str:
        return self.real(WORK_EXCHANGE)

    @property
    def events_exchange(self) -> str:
        return self.real(EVENTS_EXCHANGE)

    @property
    def dead_letter_exchange(self) -> str:
        return self.real(DEAD_LETTER_EXCHANGE)

    @property
    def dead_letter_queue(self) -> str:
        return self.real(DEAD_LETTER_QUEUE)

    def queues(self) -> tuple[str, ...]:
        """Server-side names of every durable queue the topology declares."""
        return (*(self.real(q) for q in WORK_QUEUES), self.dead_letter_queue)

    def exchanges(self) -> tuple[str, ...]:
        return (self.work_exchange, self.events_exchange, self.dead_letter_exchange)


def queue_arguments(names: Names, queue: str) -> dict[str, Any]:
    """Declaration arguments of a topology queue (unprefixed name); must never change."""
    if queue == DEAD_LETTER_QUEUE:
        return {}
    arguments: dict[str, Any] = {"x-dead-letter-exchange": names.dead_letter_exchange}
    if queue in PRIORITY_QUEUES:
        arguments["x-max-priority"] = MAX_PRIORITY
    return arguments


@dataclass(frozen=True)
class Exchanges:
    work: AbstractExchange
    events: AbstractExchange
    dead_letter: AbstractExchange
    default: AbstractExchange


async def declare(channel: AbstractChannel, names: Names) -> Exchanges:
    """Declare exchanges, queues and bindings; safe to repeat with the same arguments."""
    work = await channel.declare_exchange(
        names.work_exchange, aio_pika.ExchangeType.DIRECT, durable=True
    )
    events = await channel.declare_exchange(
        names.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )
    dead = await channel.declare_exchange(
        names.dead_letter_exchange, aio_pika.ExchangeType.FANOUT, durable=True
    )
    for queue in WORK_QUEUES:
        declared = await channel.declare_queue(
            names.real(queue), durable=True, arguments=queue_arguments(names, queue)
        )
        await declared.bind(work, routing_key=names.real(queue))
    dead_queue = await channel.declare_queue(names.dead_letter_queue, durable=True)
    await dead_queue.bind(dead, routing_key="#")
    return Exchanges(work=work, events=events, dead_letter=dead, default=channel.default_exchange)


async def delete(channel: AbstractChannel, names: Names) -> None:
    """Remove every queue and exchange of this prefix (test clean-up)."""
    for queue in names.queues():
        await channel.queue_delete(queue)
    for exchange in names.exchanges():
        await channel.exchange_delete(exchange)


async def queue_depth(channel: AbstractChannel, name: str) -> int:
    """Ready messages in a queue (server-side name); a missing queue closes ``channel``."""
    declared = await channel.declare_queue(name, passive=True)
    return int(declared.declaration_result.message_count or 0)


async def purge(channel: AbstractChannel, names: Names) -> None:
    """Drop the ready messages of every queue of this prefix."""
    for name in names.queues():
        declared = await channel.declare_queue(name, passive=True)
        await declared.purge()
