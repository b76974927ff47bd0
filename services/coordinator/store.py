"""SQLite persistence for run state, the messages it still has to send, and the durations
of earlier runs.

The outbox makes a transition and its messages one transaction: a coordinator killed after
saving a run but before publishing what the transition produced sends it after a restart.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from services.coordinator.state import CachedProof, RunState
from shared.brokers.base import Outgoing
from shared.contract import decode, encode

SCHEMA = """
create table if not exists runs (
    run_id text primary key,
    state text not null,
    finished integer not null default 0,
    updated real not null
);
create table if not exists outbox (
    id integer primary key autoincrement,
    run_id text not null,
    queue text,
    topic text,
    priority integer not null,
    type text not null,
    body blob not null
);
create table if not exists proofs (
    key text primary key,
    proof text not null
);
create table if not exists durations (
    project text not null,
    seam_id text not null,
    duration_s real not null,
    primary key (project, seam_id)
);
"""


class RunStore:
    """One SQLite file (or ``:memory:``); every save is one transaction."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("pragma journal_mode=wal")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def save(self, state: RunState, outbox: Sequence[Outgoing] = ()) -> list[int]:
        """Save the run and queue ``outbox`` for sending, atomically; returns the outbox ids."""
        with self._db:
            self._db.execute("begin immediate")
            self._db.execute(
                "insert into runs (run_id, state, finished, updated) values (?, ?, ?, ?) "
                "on conflict(run_id) do update set state=excluded.state, "
                "finished=excluded.finished, updated=excluded.updated",
                (state.run_id, state.model_dump_json(), int(state.finished), time.time()),
            )
            ids = []
            for item in outbox:
                cursor = self._db.execute(
                    "insert into outbox (run_id, queue, topic, priority, type, body) "
                    "values (?, ?, ?, ?, ?, ?)",
                    (state.run_id, item.queue, item.topic, item.priority,
                     type(item.message).__name__, encode(item.message)),
                )
                ids.append(int(cursor.lastrowid or 0))
        return ids

    def unsent(self) -> list[tuple[int, Outgoing]]:
        """Queued messages not yet marked sent, oldest first."""
        rows = self._db.execute(
            "select id, queue, topic, priority, type, body from outbox order by id"
        ).fetchall()
        return [
            (int(row_id), Outgoing(message=decode(kind, bytes(body)), queue=queue, topic=topic,
                                   priority=int(priority)))
            for row_id, queue, topic, priority, kind, body in rows
        ]

    def sent(self, ids: Sequence[int]) -> None:
        with self._db:
            self._db.executemany("delete from outbox where id = ?", [(i,) for i in ids])

    def load(self, run_id: str) -> RunState | None:
        row = self._db.execute("select state from runs where run_id = ?", (run_id,)).fetchone()
        return RunState.model_validate_json(row[0]) if row else None

    def unfinished(self) -> list[RunState]:
        rows = self._db.execute("select state from runs where finished = 0").fetchall()
        return [RunState.model_validate_json(row[0]) for row in rows]

    def proof(self, key: str) -> CachedProof | None:
        """A stable proof recorded under ``key``, if any."""
        row = self._db.execute("select proof from proofs where key = ?", (key,)).fetchone()
        return CachedProof.model_validate_json(row[0]) if row else None

    def record_proofs(self, proofs: dict[str, CachedProof]) -> None:
        with self._db:
            self._db.executemany(
                "insert or replace into proofs (key, proof) values (?, ?)",
                [(key, proof.model_dump_json()) for key, proof in proofs.items()],
            )

    def record_durations(self, project: str, durations: dict[str, float]) -> None:
        with self._db:
            self._db.executemany(
                "insert or replace into durations (project, seam_id, duration_s) values (?, ?, ?)",
                [(project, seam_id, d) for seam_id, d in durations.items()],
            )

    def durations(self, project: str) -> dict[str, float]:
        rows = self._db.execute(
            "select seam_id, duration_s from durations where project = ?", (project,)
        ).fetchall()
        return {str(seam_id): float(d) for seam_id, d in rows}


def project_key(kind: str, location: str, plan: str) -> str:
    """Durations are remembered per project and plan."""
    return json.dumps([kind, location, plan])
