"""A read-through cache with a process-wide default time to live."""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_TTL_S = 60.0


def configure(default_ttl_s: float) -> None:
    """Change the default TTL for caches created from now on (process-wide)."""
    global DEFAULT_TTL_S
    DEFAULT_TTL_S = default_ttl_s


class ReadCache:
    """Caches loader results per key until they are older than the TTL."""

    def __init__(self, ttl_s: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = DEFAULT_TTL_S if ttl_s is None else ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[float, int]] = {}
        self.loads = 0

    def get(self, key: str, loader: Callable[[str], int]) -> int:
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self.ttl_s:
            return entry[1]
        self.loads += 1
        value = loader(key)
        self._entries[key] = (now, value)
        return value

    def invalidate(self, key: str) -> None:
        self._entries.pop(key, None)
