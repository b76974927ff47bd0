"""``print-call`` and ``conditional-logic``: tests are quiet and take one path.

``conditional-logic`` flags ``if``, ``while`` and ``match`` in test bodies. A ``for`` loop
over parameters is not flagged (only the branches inside it would be), nor is a guard
clause whose only statement skips, fails or raises.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from services.auditor.context import ModuleContext
from services.auditor.names import terminal_name
from services.auditor.rules.base import Hit, Rule

PRINT_CALL = Rule(
    "print-call",
    "warning",
    "Test module prints",
    "Printing in tests is debugging left behind: pytest captures it, nobody reads it, and "
    "what was worth printing was worth asserting. Assert on the value, or use logging "
    "(pytest shows captured logs of failing tests).",
)
CONDITIONAL_LOGIC = Rule(
    "conditional-logic",
    "warning",
    "Test contains conditional logic",
    "A test with `if`, `while` or `match` takes different paths on different runs, so what "
    "it verifies depends on data it does not control, and a branch may silently never run. "
    "Split it into one test per path, use `pytest.mark.parametrize`, or wait with a helper "
    "that has a deadline. Guard clauses that only skip or fail are fine.",
)
RULES = (PRINT_CALL, CONDITIONAL_LOGIC)

_PRINTS = frozenset({"pprint.pprint", "pprint.pp"})
_GUARD_CALLS = frozenset({"pytest.skip", "pytest.xfail", "pytest.fail", "pytest.importorskip"})
_GUARD_METHODS = frozenset({"skipTest", "fail"})


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for call in ctx.of(ast.Call):
        if (
            ctx.builtin(call.func, "print") or ctx.resolve(call.func) in _PRINTS
        ) and not ctx.in_main_guard(call):
            yield PRINT_CALL.at(call, "print() in a test module")
    for test in ctx.tests:
        name = test.node.name
        nodes = ctx.body_nodes(test.node)
        elifs = {
            id(n.orelse[0])
            for n in nodes
            if isinstance(n, ast.If) and len(n.orelse) == 1 and isinstance(n.orelse[0], ast.If)
        }
        for node in nodes:
            if isinstance(node, ast.If) and id(node) not in elifs and not _guard(ctx, node):
                yield CONDITIONAL_LOGIC.at(node, f"`if` in test {name}")
            elif isinstance(node, ast.While):
                yield CONDITIONAL_LOGIC.at(node, f"`while` loop in test {name}")
            elif isinstance(node, ast.Match):
                yield CONDITIONAL_LOGIC.at(node, f"`match` in test {name}")


def _guard(ctx: ModuleContext, node: ast.If) -> bool:
    """An ``if`` without ``else`` whose single statement raises, skips or fails."""
    if node.orelse or len(node.body) != 1:
        return False
    stmt = node.body[0]
    if isinstance(stmt, ast.Raise):
        return True
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return False
    func = stmt.value.func
    if ctx.resolve(func) in _GUARD_CALLS:
        return True
    return isinstance(func, ast.Attribute) and terminal_name(func) in _GUARD_METHODS
