"""A small order store: orders in PostgreSQL, read through a Redis cache."""

from orders.store import Order, OrderStore

__all__ = ["Order", "OrderStore"]
