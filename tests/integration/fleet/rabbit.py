"""The local RabbitMQ as a whole: restart it, read its settings, read a dead-letter queue.

Restarting and reading settings need ``rabbitmqctl`` on a broker at a loopback address; a
test that needs them skips elsewhere, and fails instead when ``CI`` is set.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlsplit

import aio_pika
import pytest

from shared.brokers.amqp import AmqpBroker
from shared.topology import ORIGIN_QUEUE_HEADER, REJECT_REASON_HEADER
from tests.waiting import wait_until_async

CTL_TIMEOUT_S = 60.0


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this test must run)", pytrace=False)
    pytest.skip(reason)


def require_local_broker(url: str) -> None:
    if shutil.which("rabbitmqctl") is None:
        _unavailable("rabbitmqctl is not installed")
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        _unavailable("the broker under test is not local: rabbitmqctl cannot reach it")


async def rabbitmqctl(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "rabbitmqctl", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), CTL_TIMEOUT_S)
    assert process.returncode == 0, err.decode()
    return out.decode()


@asynccontextmanager
async def rabbitmq_stopped(url: str) -> AsyncIterator[None]:
    """Stop the RabbitMQ application; start it again and wait for it, whatever happens."""
    require_local_broker(url)
    await rabbitmqctl("stop_app")
    try:
        yield
    finally:
        await rabbitmqctl("start_app")
        await rabbitmqctl("await_startup")


async def consumer_timeout_s(url: str) -> float:
    """The server-wide ``consumer_timeout`` (RabbitMQ 3.10 has no per-queue setting)."""
    require_local_broker(url)
    out = await rabbitmqctl("eval", "application:get_env(rabbit, consumer_timeout).")
    found = re.search(r"\{ok,\s*(\d+)\}", out)
    assert found, f"no consumer_timeout is set: {out.strip()} (deploy/provision.sh sets one)"
    return int(found.group(1)) / 1000


@dataclass(frozen=True)
class DeadLetter:
    message_type: str | None
    size: int
    reason: str
    origin: str


async def dead_letters(broker: AmqpBroker, count: int, timeout: float = 60.0,
                       ) -> list[DeadLetter]:
    """Take ``count`` messages off the prefix's dead-letter queue (bounded polling)."""
    taken: list[DeadLetter] = []
    connection = await aio_pika.connect(broker.url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(broker.names.dead_letter_queue, passive=True)

        async def all_taken() -> bool:
            while len(taken) < count:
                message = await queue.get(no_ack=True, fail=False)
                if message is None:
                    return False
                headers: dict[str, Any] = dict(message.headers)
                taken.append(DeadLetter(message.type, len(message.body),
                                        str(headers.get(REJECT_REASON_HEADER, "")),
                                        str(headers.get(ORIGIN_QUEUE_HEADER, ""))))
            return True

        await wait_until_async(all_taken, timeout, poll_s=0.2,
                               what=lambda: f"{count} dead letters (only {len(taken)}: {taken})")
    finally:
        await connection.close()
    return taken
