"""SEAM 1: OrderStore -> PostgreSQL: orders placed are stored and read back."""

from __future__ import annotations

import os

import psycopg
import pytest

from orders import Order, OrderStore


def test_a_placed_order_is_read_back_from_another_connection(store: OrderStore) -> None:
    order_id = store.place("ada", 1_250)

    with psycopg.connect(os.environ["DATABASE_URL"]) as other:
        row = other.execute("SELECT customer, total_cents FROM orders WHERE id = %s",
                            (order_id,)).fetchone()

    assert row == ("ada", 1_250)
    assert store.get(order_id) == Order(order_id, "ada", 1_250)


def test_a_negative_total_is_refused_by_the_database(store: OrderStore) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        store.place("bob", -1)

    assert store.count() == 0


def test_a_cancelled_order_is_gone(store: OrderStore) -> None:
    order_id = store.place("cy", 900)

    assert store.cancel(order_id) is True
    assert store.get(order_id) is None
