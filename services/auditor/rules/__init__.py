"""The rule catalog: every rule by its stable id, and the families that check them.

A family is a module holding related rules (``RULES``) and one ``check`` that walks the
module context once for all of them. Ids are stable: reports, policies and inline
``# seamq: ignore[rule-id]`` comments refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.auditor.rules import (
    assertions,
    docs,
    exceptions,
    fixtures,
    hygiene,
    mocks,
    naming,
    placeholders,
    skips,
    syntax,
    tampering,
    timing,
)
from services.auditor.rules.base import Check, Hit, Level, Rule


@dataclass(frozen=True)
class Family:
    """Rules checked together by one pass over a module."""

    rules: tuple[Rule, ...]
    check: Check


FAMILIES: tuple[Family, ...] = tuple(
    Family(module.RULES, module.check)
    for module in (
        naming, docs, mocks, fixtures, assertions, placeholders, exceptions, timing, skips,
        hygiene, tampering,
    )
)  # fmt: skip

_ORDER = (
    "file-naming", "missing-docstring", "mock-usage", "fixture-redefined", "no-assertion",
    "vacuous-assertion", "empty-test", "swallowed-exception", "sleep-wait",
    "skip-without-reason", "async-no-timeout", "print-call", "verdict-tampering",
    "conditional-logic", "generator-placeholder", "syntax-error",
)  # fmt: skip
_BY_ID = {rule.id: rule for family in FAMILIES for rule in family.rules} | {
    syntax.SYNTAX_ERROR.id: syntax.SYNTAX_ERROR
}
RULES: dict[str, Rule] = {rule_id: _BY_ID[rule_id] for rule_id in _ORDER}

__all__ = ["FAMILIES", "RULES", "Family", "Hit", "Level", "Rule"]
