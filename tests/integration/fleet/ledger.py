"""Did every seam end exactly once? Records from three independent places — the report, the
events on the topic exchange and the coordinator's SQLite store — each classified as lost
(expected, never recorded), duplicated (recorded more than once) or unexpected (recorded,
never expected)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.coordinator.store import RunStore
from shared.brokers.amqp import AmqpBroker
from shared.brokers.base import Subscription
from shared.contract import TERMINAL_STATUSES, RunEvent


@dataclass(frozen=True)
class Ledger:
    lost: frozenset[str]
    duplicated: frozenset[str]
    unexpected: frozenset[str]

    @classmethod
    def classify(cls, expected: Iterable[str], records: Iterable[str]) -> Ledger:
        wanted = set(expected)
        seen = Counter(records)
        return cls(
            lost=frozenset(wanted - seen.keys()),
            duplicated=frozenset(k for k, n in seen.items() if n > 1),
            unexpected=frozenset(seen.keys() - wanted),
        )

    @property
    def counts(self) -> tuple[int, int, int]:
        return len(self.lost), len(self.duplicated), len(self.unexpected)


def report_records(report: dict[str, Any]) -> list[str]:
    """One record per seam entry of report.json."""
    return [seam["id"] for seam in report["seams"]]


def store_records(state_dir: Path, run_id: str) -> list[str]:
    """One record per result the coordinator accepted for a seam's execute job."""
    store = RunStore(state_dir / "coordinator.sqlite")
    try:
        state = store.load(run_id)
    finally:
        store.close()
    assert state is not None, f"run {run_id} is not in the coordinator's store"
    return [
        seam_id
        for seam_id, seam in state.seams.items()
        for attempt in seam.attempt_log
        if attempt.phase == "execute"
    ]


@dataclass
class EventLog:
    """Every event of the prefix's runs, as any AMQP client bound to ``run.#`` sees them."""

    events: list[RunEvent] = field(default_factory=list)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    _subscription: Subscription | None = None

    async def __call__(self, event: RunEvent) -> None:
        self.events.append(event)
        if event.event == "finished":
            self.finished.set()

    async def bind(self, broker: AmqpBroker) -> None:
        self._subscription = await broker.subscribe_events("run.#", self)

    async def cancel(self) -> None:
        if self._subscription is not None:
            await self._subscription.cancel()

    def terminal_records(self, run_id: str) -> list[str]:
        """One record per event that announced a seam's final status."""
        return [
            e.seam_id
            for e in self.events
            if e.run_id == run_id and e.event == "seam" and e.seam_id
            and e.status in TERMINAL_STATUSES
        ]
