"""SEAM 2: OrderStore -> Redis cache -> PostgreSQL: reads are cached, cancels invalidate."""

from __future__ import annotations

import json

from orders import OrderStore


def test_a_read_order_is_cached_in_redis(store: OrderStore) -> None:
    order_id = store.place("dee", 300)

    store.get(order_id)

    assert store.cache is not None
    cached = store.cache.get(f"order:{order_id}")
    assert cached is not None
    assert json.loads(cached) == {"id": order_id, "customer": "dee", "total_cents": 300}
    assert 0 < store.cache.ttl(f"order:{order_id}") <= 60


def test_cancelling_an_order_drops_it_from_the_cache(store: OrderStore) -> None:
    order_id = store.place("eve", 450)
    store.get(order_id)

    store.cancel(order_id)

    assert store.cache is not None
    assert store.cache.exists(f"order:{order_id}") == 0
    assert store.get(order_id) is None
