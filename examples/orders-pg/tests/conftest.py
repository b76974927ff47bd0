"""The real services of the job: the PostgreSQL and Redis seamq started for it, reached
through DATABASE_URL and REDIS_URL. Every test starts from empty tables and an empty cache
(it cannot start from an empty server: one server serves all of a job's tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from orders import OrderStore


@pytest.fixture
def store() -> Iterator[OrderStore]:
    orders = OrderStore(os.environ["DATABASE_URL"], os.environ.get("REDIS_URL"))
    orders.db.execute("TRUNCATE orders RESTART IDENTITY")
    if orders.cache is not None:
        orders.cache.flushdb()
    yield orders
    orders.close()
