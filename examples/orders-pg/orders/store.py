"""Orders kept in PostgreSQL; single-order reads go through a Redis cache (cache-aside)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import psycopg
import redis

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id          serial PRIMARY KEY,
    customer    text    NOT NULL,
    total_cents integer NOT NULL CHECK (total_cents >= 0)
)
"""
CACHE_TTL_S = 60


@dataclass(frozen=True)
class Order:
    id: int
    customer: str
    total_cents: int


class OrderStore:
    """Place, read and cancel orders; ``get`` caches what it read for ``CACHE_TTL_S``."""

    def __init__(self, database_url: str, redis_url: str | None = None) -> None:
        self.db = psycopg.connect(database_url, autocommit=True)
        self.cache = redis.Redis.from_url(redis_url) if redis_url else None
        self.db.execute(SCHEMA)

    def place(self, customer: str, total_cents: int) -> int:
        row = self.db.execute(
            "INSERT INTO orders (customer, total_cents) VALUES (%s, %s) RETURNING id",
            (customer, total_cents),
        ).fetchone()
        assert row is not None
        return int(row[0])

    def get(self, order_id: int) -> Order | None:
        key = f"order:{order_id}"
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                return Order(**json.loads(cached))
        row = self.db.execute(
            "SELECT id, customer, total_cents FROM orders WHERE id = %s", (order_id,)
        ).fetchone()
        if row is None:
            return None
        order = Order(*row)
        if self.cache is not None:
            self.cache.set(key, json.dumps(asdict(order)), ex=CACHE_TTL_S)
        return order

    def cancel(self, order_id: int) -> bool:
        deleted = self.db.execute("DELETE FROM orders WHERE id = %s", (order_id,)).rowcount
        if self.cache is not None:
            self.cache.delete(f"order:{order_id}")
        return deleted == 1

    def count(self) -> int:
        row = self.db.execute("SELECT count(*) FROM orders").fetchone()
        return int(row[0]) if row else 0

    def revenue(self) -> int:
        row = self.db.execute("SELECT coalesce(sum(total_cents), 0) FROM orders").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.db.close()
        if self.cache is not None:
            self.cache.close()
