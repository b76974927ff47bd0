"""Broker implementations behind one interface; ``make_broker`` picks one from a URL."""

from __future__ import annotations

from shared.brokers.base import Broker, Delivery, Outgoing, Subscription
from shared.errors import UsageError

__all__ = ["Broker", "Delivery", "Outgoing", "Subscription", "make_broker"]


def make_broker(url: str, *, prefix: str = "seamq") -> Broker:
    """``memory`` gives the in-process broker; ``amqp://`` / ``amqps://`` gives RabbitMQ,
    whose exchange and queue names start with ``prefix`` (``SEAMQ_BROKER_PREFIX``)."""
    if url in ("", "memory", "memory://"):
        from shared.brokers.memory import InMemoryBroker

        return InMemoryBroker()
    if url.startswith(("amqp://", "amqps://")):
        from shared.brokers.amqp import AmqpBroker  # type: ignore[import-not-found,unused-ignore]

        broker: Broker = AmqpBroker(url, prefix=prefix)
        return broker
    raise UsageError(f"--broker: expected 'memory' or an amqp:// URL, got {url!r}")
