"""Stock operations: reads go through the cache, writes go to the store and invalidate."""

from __future__ import annotations

from inventory.cache import ReadCache
from inventory.store import StockStore


class InventoryService:
    def __init__(self, store: StockStore, cache: ReadCache | None = None) -> None:
        self.store = store
        self.cache = cache or ReadCache()

    def available(self, sku: str) -> int:
        return self.cache.get(sku, self.store.quantity)

    def receive(self, sku: str, quantity: int) -> int:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        level = self.store.adjust(sku, quantity)
        self.cache.invalidate(sku)
        return level

    def ship(self, sku: str, quantity: int) -> int:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        level = self.store.adjust(sku, -quantity)
        self.cache.invalidate(sku)
        return level
