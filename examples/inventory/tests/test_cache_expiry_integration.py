"""SEAM 3: InventoryService -> ReadCache expiry (process-wide cache settings).

Scope: the cache's TTL configuration as the service uses it.
Impact: stale stock levels oversell; an over-eager cache hammers the database.
Strategy: configure a zero TTL and observe that every read reaches the store.
Success criteria: with TTL 0 each read loads from the store.
"""

from inventory import cache
from inventory.service import InventoryService


def test_zero_ttl_makes_every_read_reach_the_store(store):
    """With the default TTL configured to zero, two reads mean two loads."""
    cache.configure(default_ttl_s=0)
    service = InventoryService(store)
    store.adjust("E-5", 3)
    assert service.available("E-5") == 3
    assert service.available("E-5") == 3
    assert service.cache.loads == 2
