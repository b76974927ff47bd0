"""Fixtures for fleet tests: a reachable RabbitMQ (a skip on a laptop, a failure in CI) and a
fleet on a prefix of its own, whose processes and topology are removed afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytest.register_assert_rewrite(f"{__package__}.fleet", f"{__package__}.ledger")

from tests.integration.brokers.conftest import amqp_url  # noqa: E402 - fixture, reused

from .fleet import Fleet  # noqa: E402 - after the assert-rewrite registration

__all__ = ["amqp_url"]

LOG_TAIL_LINES = 40


@pytest.fixture
async def fleet(amqp_url: str, tmp_path: Path) -> AsyncIterator[Fleet]:
    """Services started through it are SIGKILLed at teardown; their logs' tails are printed
    there (pytest shows them when the test failed)."""
    fleet = Fleet(amqp_url, f"f{uuid.uuid4().hex[:10]}", tmp_path)
    try:
        yield fleet
    finally:
        await fleet.close()
        for log in sorted(fleet.logs.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            print(f"--- {log.name} (last {len(tail)} lines)", *tail, sep="\n")
