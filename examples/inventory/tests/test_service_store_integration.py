"""SEAM 2: InventoryService -> SQLite store (persistence across service instances).

Scope: writes through the service and reads through a fresh store on the same file.
Impact: stock must survive a restart of the service.
Strategy: write with one service, reopen the SQLite file, read with another.
Success criteria: levels persist; a failed ship leaves no partial write.
"""

import pytest

from inventory.service import InventoryService
from inventory.store import StockStore


def test_levels_survive_reopening_the_database(tmp_path):
    """A level written by one service is read back by a new store on the same file."""
    path = tmp_path / "stock.sqlite"
    first = StockStore(path)
    InventoryService(first).receive("C-3", 7)
    first.close()
    second = StockStore(path)
    assert InventoryService(second).available("C-3") == 7
    second.close()


def test_failed_ship_leaves_the_stored_level_unchanged(service):
    """A refused shipment raises and writes nothing."""
    service.receive("D-4", 1)
    with pytest.raises(ValueError, match="not enough stock"):
        service.ship("D-4", 2)
    assert service.store.quantity("D-4") == 1
