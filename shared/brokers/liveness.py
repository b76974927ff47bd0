"""Whether a broker's consumers are still doing their work, for ``/healthz``.

A consumer is *stuck* when it has held one message longer than ``stuck_after_s`` (the
longest a handler may legitimately take: a job's deadline stays below RabbitMQ's 30-minute
consumer timeout), and *dead* when its loop ended with an exception. Either makes the
service unhealthy, so an orchestrator restarts it instead of leaving it deaf.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager

STUCK_AFTER_S = 30 * 60.0


class Liveness:
    """In-flight deliveries and dead consumers of one broker; read from any thread."""

    def __init__(self, stuck_after_s: float = STUCK_AFTER_S) -> None:
        self.stuck_after_s = stuck_after_s
        self._since: dict[int, tuple[str, float]] = {}
        self._ids = itertools.count()
        self.dead: list[str] = []

    @contextmanager
    def handling(self, queue: str) -> Iterator[None]:
        """Mark one delivery of ``queue`` in flight while the block runs."""
        key = next(self._ids)
        self._since[key] = (queue, time.monotonic())
        try:
            yield
        finally:
            self._since.pop(key, None)

    def consumer_died(self, queue: str, reason: str) -> None:
        self.dead.append(f"{queue}: {reason}")

    def problems(self) -> list[str]:
        """Why the consumers are unhealthy; empty while they are fine."""
        now = time.monotonic()
        stuck = [
            f"{queue}: one message held for {now - since:.0f} s"
            for queue, since in list(self._since.values())
            if now - since > self.stuck_after_s
        ]
        return [*self.dead, *stuck]

    def healthy(self) -> bool:
        return not self.problems()
