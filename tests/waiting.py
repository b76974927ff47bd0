"""Waiting in tests on a condition with a timeout, never on a bare sleep: poll a predicate,
return its first truthy value, or fail saying what never happened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

POLL_S = 0.05
# What is awaited, for the failure message; a callable is asked at the time of failure.
What = str | Callable[[], str]


def _timed_out(what: What, timeout: float) -> AssertionError:
    described = what() if callable(what) else what
    return AssertionError(f"timed out after {timeout:g} s waiting for {described}")


def wait_until(predicate: Callable[[], T], timeout: float, *, what: What = "the condition",
               poll_s: float = POLL_S) -> T:
    """Call ``predicate`` until it returns something truthy and return that; fail once
    ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() >= deadline:
            raise _timed_out(what, timeout)
        time.sleep(poll_s)
    return value


async def wait_until_async(predicate: Callable[[], Awaitable[T]], timeout: float, *,
                           what: What = "the condition", poll_s: float = POLL_S) -> T:
    """``wait_until`` for a coroutine predicate, yielding to the event loop between polls."""
    deadline = time.monotonic() + timeout
    while not (value := await predicate()):
        if time.monotonic() >= deadline:
            raise _timed_out(what, timeout)
        await asyncio.sleep(poll_s)
    return value
