"""AMQP dispatch throughput through a real RabbitMQ: no-op jobs, 8 consumers, prefetch 1.

- ``seamq``: seamq's own path — ``AmqpBroker.publish`` (persistent, mandatory, confirmed)
  of ``AuditJob`` messages and ``AmqpBroker.consume`` with a handler that does nothing
  (decode, delivery count, ack: everything ``shared.brokers.base.process`` does);
- ``bare``: aio-pika alone on one durable queue — persistent messages, publisher confirms,
  8 consumer channels with prefetch 1, manual acks: the limit to approach.

Both publish with the same window of confirms in flight; jobs/s runs from the first publish
to the last ack. The URL is ``$SEAMQ_TEST_AMQP_URL`` or the local default.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

import aio_pika

from shared.brokers.amqp import AmqpBroker
from shared.brokers.base import Delivery, Outgoing
from shared.contract import AuditJob
from shared.topology import AUDITOR_QUEUE

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
CONSUMERS = 8
WINDOW = 64  # publishes awaiting their confirm at once


def amqp_url() -> str:
    return os.environ.get("SEAMQ_TEST_AMQP_URL") or DEFAULT_URL


async def _windowed(n: int, publish: Callable[[int], Awaitable[None]]) -> None:
    """Publish ``n`` messages with at most ``WINDOW`` confirms outstanding."""
    gate = asyncio.Semaphore(WINDOW)

    async def one(i: int) -> None:
        async with gate:
            await publish(i)

    await asyncio.gather(*(one(i) for i in range(n)))


async def seamq_rate(url: str, n: int) -> float:
    """No-op jobs per second through ``AmqpBroker`` publish and consume."""
    broker = AmqpBroker(url, prefix=f"bench{uuid.uuid4().hex[:8]}")
    await broker.start()
    done = asyncio.Event()
    handled = 0

    async def handler(_delivery: Delivery) -> Sequence[Outgoing]:
        nonlocal handled
        handled += 1
        if handled == n:
            done.set()
        return ()

    try:
        for _ in range(CONSUMERS):
            await broker.consume(AUDITOR_QUEUE, handler, prefetch=1)
        job = AuditJob(job_id="j", run_id="bench", seam_id="1", path="t.py", content="")
        started = time.perf_counter()
        await _windowed(n, lambda i: broker.publish(AUDITOR_QUEUE, job, message_id=f"m{i}"))
        await asyncio.wait_for(done.wait(), timeout=300)
        return n / (time.perf_counter() - started)
    finally:
        await broker.delete_topology()
        await broker.close()


async def bare_rate(url: str, n: int) -> float:
    """The same round trip on aio-pika alone."""
    connection = await aio_pika.connect(url)
    name = f"bench-bare-{uuid.uuid4().hex[:8]}"
    done = asyncio.Event()
    acked = 0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal acked
        await message.ack()
        acked += 1
        if acked == n:
            done.set()

    try:
        channel = await connection.channel()  # publisher confirms are on by default
        queue = await channel.declare_queue(name, durable=True)
        consumers = []
        for _ in range(CONSUMERS):
            consumer = await connection.channel()
            await consumer.set_qos(prefetch_count=1)
            on = await consumer.get_queue(name)
            consumers.append((on, await on.consume(on_message)))
        body = b'{"job_id":"j"}'

        async def publish(i: int) -> None:
            await channel.default_exchange.publish(aio_pika.Message(
                body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=f"m{i}"),
                routing_key=name, mandatory=True)

        started = time.perf_counter()
        await _windowed(n, publish)
        await asyncio.wait_for(done.wait(), timeout=300)
        elapsed = time.perf_counter() - started
        for on, tag in consumers:
            await on.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
        return n / elapsed
    finally:
        await connection.close()


def measure(n: int) -> tuple[float, float]:
    """(seamq jobs/s, bare aio-pika jobs/s), measured one after the other."""
    url = amqp_url()
    return asyncio.run(seamq_rate(url, n)), asyncio.run(bare_rate(url, n))
