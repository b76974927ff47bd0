"""Stock levels persisted in SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StockStore:
    """Quantities per SKU in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
        self._db.execute(
            "create table if not exists stock (sku text primary key, quantity integer not null)"
        )

    def close(self) -> None:
        self._db.close()

    def quantity(self, sku: str) -> int:
        row = self._db.execute("select quantity from stock where sku = ?", (sku,)).fetchone()
        return int(row[0]) if row else 0

    def adjust(self, sku: str, delta: int) -> int:
        with self._db:
            current = self.quantity(sku)
            if current + delta < 0:
                raise ValueError(f"not enough stock of {sku}: {current} < {-delta}")
            self._db.execute(
                "insert into stock (sku, quantity) values (?, ?) "
                "on conflict(sku) do update set quantity = excluded.quantity",
                (sku, current + delta),
            )
        return current + delta
