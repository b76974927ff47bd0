"""SEAM 4: InventoryService -> ReadCache -> SQLite store (read-through caching).

Scope: reads served from the cache under the default TTL, invalidated by writes.
Impact: the database is protected from read storms; writes are never hidden.
Strategy: count loads reaching the store across reads and writes.
Success criteria: repeated reads load once; a write invalidates the cached level.
"""

from inventory.service import InventoryService


def test_repeated_reads_load_from_the_store_once(store):
    """Under the default TTL a second read is served from the cache."""
    service = InventoryService(store)
    store.adjust("F-6", 4)
    assert service.available("F-6") == 4
    assert service.available("F-6") == 4
    assert service.cache.loads == 1


def test_a_write_invalidates_the_cached_level(store):
    """Receiving stock drops the cached value so the next read sees the new level."""
    service = InventoryService(store)
    service.receive("G-7", 2)
    assert service.available("G-7") == 2
    service.receive("G-7", 3)
    assert service.available("G-7") == 5
    assert service.cache.loads == 2
