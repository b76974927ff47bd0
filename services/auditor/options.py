"""Typed rule options, parsed and validated from ``AuditPolicy.options``."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.errors import PolicyError

DEFAULT_MOCK_MODULES: tuple[str, ...] = (
    "unittest.mock",
    "mock",
    "pytest_mock",
    "asynctest",
    "requests_mock",
    "responses",
    "respx",
    "aioresponses",
    "httpretty",
    "pytest_httpx",
)
DEFAULT_MOCK_FIXTURES: tuple[str, ...] = (
    "mocker",
    "class_mocker",
    "module_mocker",
    "package_mocker",
    "session_mocker",
    "httpx_mock",
    "requests_mock",
    "respx_mock",
)
# Off unless a policy sets one: real projects name their files their own way.
DEFAULT_NAMING_PATTERN = ""


@dataclass(frozen=True)
class AuditOptions:
    """Rule options. Lists replace the defaults rather than extending them."""

    forbidden_mock_modules: tuple[str, ...] = DEFAULT_MOCK_MODULES
    forbidden_mock_fixtures: tuple[str, ...] = DEFAULT_MOCK_FIXTURES
    allow_monkeypatch: bool = True
    naming_pattern: str = DEFAULT_NAMING_PATTERN
    forbid_new_fixtures: bool = False
    docstring_sections: tuple[str, ...] = ()
    assert_helpers: tuple[str, ...] = ()


def _strings(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise PolicyError(f"options.{key}: expected a list of non-empty strings")
    return tuple(item.strip() for item in value)


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"options.{key}: expected true or false, got {value!r}")
    return value


def _pattern(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"options.{key}: expected a non-empty file name pattern")
    return value.strip()


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "forbidden_mock_modules": _strings,
    "forbidden_mock_fixtures": _strings,
    "allow_monkeypatch": _flag,
    "naming_pattern": _pattern,
    "forbid_new_fixtures": _flag,
    "docstring_sections": _strings,
    "assert_helpers": _strings,
}


def parse_options(options: Mapping[str, Any]) -> AuditOptions:
    """Validate raw policy options; an unknown name or a wrong type is a ``PolicyError``."""
    values: dict[str, Any] = {}
    for key, value in options.items():
        parser = _PARSERS.get(key)
        if parser is None:
            raise PolicyError(f"unknown option {key!r}{did_you_mean(key, _PARSERS)}")
        values[key] = parser(key, value)
    return AuditOptions(**values)


def did_you_mean(word: str, choices: Mapping[str, Any] | set[str] | tuple[str, ...]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix for an unknown name, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
