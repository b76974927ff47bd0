"""What a rule is, and what a rule check reports."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from services.auditor.context import ModuleContext

Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Rule:
    """A rule of the catalog: stable id, default severity, one-line message, help text."""

    id: str
    severity: Level
    message: str
    help: str

    def at(self, node: ast.AST | None, message: str) -> Hit:
        """A hit of this rule at ``node`` (``None``: the whole file)."""
        line = getattr(node, "lineno", 0) if node is not None else 0
        col = getattr(node, "col_offset", -1) + 1 if node is not None else 0
        return Hit(self.id, line, col, message)


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding before the policy gives it a severity: rule, 1-based line and column."""

    rule: str
    line: int
    col: int
    message: str


Check = Callable[[ModuleContext], Iterable[Hit]]
