"""Type converters for command-line options: each validates its value up front.

argparse turns an ``ArgumentTypeError`` into one line, ``seamq: error: argument --X: …``,
and exit code 4, before any plan is read or broker contacted.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from shared.contract import Priority


def at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    """An integer converter that refuses values below ``low`` (and above ``high``)."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, got {value}")
        return value

    convert.__name__ = "integer"  # argparse names the converter in some messages
    return convert


MAX_SECONDS = 86_400.0


def positive_seconds(text: str) -> float:
    """A finite number of seconds above zero, at most a day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text}")
    if value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_SECONDS:g} s, got {text}")
    return value


def port(text: str) -> int:
    """A TCP port; 0 picks a free one."""
    value = at_least(0)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number (0-65535), got {value}")
    return value


def priorities(text: str) -> tuple[Priority, ...]:
    """Comma-separated priorities (``P0,P1``); empty selects every priority."""
    out = []
    for token in filter(None, (t.strip().upper() for t in text.split(","))):
        try:
            out.append(Priority(token))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{token!r} is not one of P0, P1, P2, P3") from None
    return tuple(out)


def key_value(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` with a non-empty key."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value
