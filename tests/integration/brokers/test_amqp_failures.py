"""RabbitMQ under failure: runners killed mid-job, the broker itself stopped and restarted.

The restart tests stop the shared local RabbitMQ application for a few seconds (marked
``slow``) and always start it again.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from shared.brokers.amqp import AmqpBroker
from shared.brokers.amqp_subscriptions import CLOSE_TIMEOUT_S
from shared.brokers.base import Delivery, Outgoing
from shared.contract import RunEvent
from shared.errors import PublishError
from shared.topology import REJECT_REASON_HEADER, RUNNER_QUEUE, event_key

from .amqp_harness import AmqpHarness
from .support import WAIT_S, Events, Inbox, seam_job

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
DYING_RUNNER = Path(__file__).with_name("dying_runner.py")
# A fresh runner process imports seamq and connects before its first delivery: on a loaded
# two-core CI machine that alone can take longer than a message round trip's WAIT_S.
START_S = 90.0


async def _start_runner(url: str, prefix: str, max_deliveries: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(DYING_RUNNER),
        url,
        prefix,
        str(max_deliveries),
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


async def _first_delivery(runner: asyncio.subprocess.Process) -> int:
    assert runner.stdout is not None
    line = await asyncio.wait_for(runner.stdout.readline(), START_S)
    assert line.startswith(b"delivery "), line
    return int(line.split()[1])


async def _kill(runner: asyncio.subprocess.Process) -> None:
    if runner.returncode is None:
        runner.send_signal(signal.SIGKILL)
    await runner.wait()


@pytest.mark.timeout(480)
async def test_job_that_kills_its_runner_every_time_ends_dead_lettered(
    amqp_broker: AmqpBroker, amqp_harness: AmqpHarness
) -> None:
    limit = 3
    await amqp_broker.publish(RUNNER_QUEUE, seam_job(), message_id="m-killer")
    counts = []
    for _ in range(limit):
        runner = await _start_runner(amqp_harness.url, amqp_broker.names.prefix, limit)
        try:
            counts.append(await _first_delivery(runner))
        finally:
            await _kill(runner)

    last = await _start_runner(amqp_harness.url, amqp_broker.names.prefix, limit)
    try:
        dead = await amqp_harness.next_dead_letter(START_S)
    finally:
        await _kill(last)

    assert counts == [1, 2, 3]
    assert dead.message_id == "m-killer"
    assert dead.headers[REJECT_REASON_HEADER] == f"delivered {limit + 1} times (limit {limit})"


async def _rabbitmqctl(*args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl", *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()


@asynccontextmanager
async def _rabbitmq_stopped(url: str) -> AsyncIterator[None]:
    """Stop the local RabbitMQ application; start it again and wait for it, whatever happens."""
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is not installed: cannot restart the broker")
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip("the broker under test is not local: rabbitmqctl cannot restart it")
    await _rabbitmqctl("stop_app")
    try:
        yield
    finally:
        await _rabbitmqctl("start_app")
        await _rabbitmqctl("await_startup")


@pytest.mark.rabbitmq_restart
async def test_consumers_and_subscribers_get_messages_sent_after_a_rabbitmq_restart(
    amqp_broker: AmqpBroker, amqp_harness: AmqpHarness
) -> None:
    inbox, events = Inbox(), Events()
    await amqp_harness.consume(RUNNER_QUEUE, inbox)
    subscription = await amqp_broker.subscribe_events("run.run-1.#", events)
    await amqp_broker.publish(RUNNER_QUEUE, seam_job("before"))
    assert getattr((await inbox.next()).message, "job_id", None) == "before"

    async with _rabbitmq_stopped(amqp_broker.url):
        pass
    await amqp_broker.publish(RUNNER_QUEUE, seam_job("after"))
    await amqp_broker.publish_event(
        event_key("run-1", "seam"), RunEvent(run_id="run-1", event="seam")
    )

    assert getattr((await inbox.next()).message, "job_id", None) == "after"
    assert (await events.next()).event == "seam"
    await subscription.cancel()


@pytest.mark.rabbitmq_restart
async def test_publish_while_rabbitmq_is_down_fails_within_its_timeout(
    amqp_broker: AmqpBroker,
) -> None:
    async with _rabbitmq_stopped(amqp_broker.url):
        started = time.monotonic()
        with pytest.raises(PublishError, match="not confirmed within"):
            await amqp_broker.publish(RUNNER_QUEUE, seam_job())
        elapsed = time.monotonic() - started

    assert elapsed < amqp_broker.publish_timeout_s + 2


@pytest.mark.rabbitmq_restart
async def test_broker_closes_within_bounds_while_rabbitmq_is_down(
    amqp_broker: AmqpBroker, amqp_harness: AmqpHarness
) -> None:
    started = asyncio.Event()

    async def stuck(delivery: Delivery) -> Sequence[Outgoing]:
        started.set()
        await asyncio.Event().wait()
        return ()

    await amqp_broker.consume(RUNNER_QUEUE, stuck)
    await amqp_broker.publish(RUNNER_QUEUE, seam_job())
    await asyncio.wait_for(started.wait(), WAIT_S)

    async with _rabbitmq_stopped(amqp_broker.url):
        began = time.monotonic()
        await amqp_broker.close()
        elapsed = time.monotonic() - began
    await amqp_broker.start()

    assert elapsed < amqp_broker.publish_timeout_s + CLOSE_TIMEOUT_S * 2
    assert await amqp_broker.depth(RUNNER_QUEUE) == 1
