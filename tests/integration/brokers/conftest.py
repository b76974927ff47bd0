"""Fixtures for the broker suite: a reachable RabbitMQ, or a skip on a laptop (a failure in CI)."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from shared.brokers.amqp import AmqpBroker

pytest.register_assert_rewrite(f"{__package__}.base_suite", f"{__package__}.amqp_harness")

from .amqp_harness import AmqpHarness  # noqa: E402 - after the assert-rewrite registration

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
AMQP_PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"
TEARDOWN_S = 60.0


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or (5671 if parts.scheme == "amqps" else 5672)


def _probe(url: str) -> None:
    """Open a TCP connection and check that an AMQP 0-9-1 server answers the header."""
    with socket.create_connection(_address(url), timeout=3) as sock:
        if url.startswith("amqps:"):
            return
        sock.sendall(AMQP_PROTOCOL_HEADER)
        frame_type = sock.recv(1)
    if frame_type != b"\x01":
        raise ConnectionError(f"no AMQP 0-9-1 server answered (got {frame_type!r})")


@pytest.fixture(scope="session")
def amqp_url() -> str:
    """URL of a RabbitMQ that answers: ``SEAMQ_TEST_AMQP_URL`` or the local default."""
    url = os.environ.get("SEAMQ_TEST_AMQP_URL") or DEFAULT_AMQP_URL
    try:
        _probe(url)
    except OSError as e:
        host, port = _address(url)
        reason = f"RabbitMQ is not reachable at {host}:{port} ({e}); set SEAMQ_TEST_AMQP_URL"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def amqp_prefix() -> str:
    """A name prefix no other test uses, so tests can share one RabbitMQ."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def amqp_harness(amqp_url: str, amqp_prefix: str) -> AsyncIterator[AmqpHarness]:
    """A started ``AmqpBroker`` on a fresh prefix, whose topology is deleted afterwards."""
    broker = AmqpBroker(
        amqp_url, prefix=amqp_prefix, publish_timeout_s=5.0, reconnect_interval_s=0.5
    )
    await broker.start()
    harness = AmqpHarness(broker, amqp_url)
    await harness.open()
    yield harness
    # Bounded: a broker left half-closed by a failed test must fail this teardown, not hang
    # the worker's event loop.
    async with asyncio.timeout(TEARDOWN_S):
        await harness.close()
        await broker.delete_topology()
        await broker.close()


@pytest.fixture
def amqp_broker(amqp_harness: AmqpHarness) -> AmqpBroker:
    return amqp_harness.broker
