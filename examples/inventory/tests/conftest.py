"""Shared fixtures: a real SQLite store in a temporary folder and the service over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inventory.service import InventoryService
from inventory.store import StockStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StockStore]:
    stock = StockStore(tmp_path / "stock.sqlite")
    yield stock
    stock.close()


@pytest.fixture
def service(store: StockStore) -> InventoryService:
    return InventoryService(store)
