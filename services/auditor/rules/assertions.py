"""``no-assertion`` and ``vacuous-assertion``: a test needs an oracle that can fail.

An oracle is an ``assert`` that can fail; ``pytest.raises/warns/deprecated_call/fail``; a
``raise``; a call whose name holds an assertion verb (``assert``, ``expect``, ``verify``,
``check``, ``ensure``, ``validate``: unittest's ``self.assertEqual``, ``assert_that``,
``expect(...)``, ``model_validate``), ``raise_for_status()``, a call with ``check=True``
(``subprocess.run``), a name matching option ``assert_helpers``; or a call of (or
reference to) a helper in the same module, a method of the module's classes or a nested
function that holds an oracle itself.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from typing import Any

from services.auditor.context import ModuleContext
from services.auditor.fixture_discovery import FunctionNode
from services.auditor.names import terminal_name
from services.auditor.rules.base import Hit, Rule
from services.auditor.rules.placeholders import placeholder, trivial

NO_ASSERTION = Rule(
    "no-assertion",
    "error",
    "Test has no assertion",
    "A test without an oracle passes whenever the code runs without an exception, so it "
    "cannot tell a right answer from a wrong one. Assert on the outcome, use `pytest.raises` "
    "for an expected error, or call an assertion helper (a function in the module that "
    "asserts, or one whose name says assert, expect, verify, check, ensure or validate; "
    "option `assert_helpers` names more).",
)
VACUOUS_ASSERTION = Rule(
    "vacuous-assertion",
    "error",
    "Assertion can never fail",
    '`assert True`, `assert 1`, `assert "text"`, `assert x == x` or `assert (x, "msg")` '
    "(a tuple, always true) pass whatever the code does, so they only look like a check. "
    "Assert on a value the code under test produced.",
)
RULES = (NO_ASSERTION, VACUOUS_ASSERTION)

ORACLE_CALLS = frozenset({"pytest.raises", "pytest.warns", "pytest.deprecated_call", "pytest.fail"})
VERBS = frozenset({"assert", "expect", "verify", "check", "ensure", "validate"})
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_ALWAYS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}  # fmt: skip
_REFLEXIVE = (ast.Eq, ast.Is, ast.LtE, ast.GtE)


def vacuous(test: ast.expr) -> str | None:
    """Why an assertion's test is always true, or None when it can fail."""
    if isinstance(test, ast.Constant):
        return "asserts a constant that is always true" if test.value else None
    if isinstance(test, ast.Tuple) and test.elts:
        return "asserts a non-empty tuple, which is always true"
    if isinstance(test, ast.List | ast.Set | ast.Dict) and _items(test):
        return "asserts a non-empty literal, which is always true"
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        operand = test.operand
        if isinstance(operand, ast.Constant) and not operand.value:
            return "asserts the negation of a false constant"
    if isinstance(test, ast.BoolOp):
        reasons = [vacuous(value) for value in test.values]
        if (isinstance(test.op, ast.Or) and any(reasons)) or all(reasons):
            return "asserts a condition that is always true"
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        return _vacuous_compare(test.left, test.ops[0], test.comparators[0])
    return None


def _items(literal: ast.List | ast.Set | ast.Dict) -> int:
    return len(literal.keys if isinstance(literal, ast.Dict) else literal.elts)


def _vacuous_compare(left: ast.expr, op: ast.cmpop, right: ast.expr) -> str | None:
    if isinstance(left, ast.Constant) and isinstance(right, ast.Constant):
        compare = _ALWAYS.get(type(op))
        try:
            always = compare is not None and bool(compare(left.value, right.value))
        except TypeError:
            return None
        return "compares two constants" if always else None
    if isinstance(op, _REFLEXIVE) and _pure(left) and ast.dump(left) == ast.dump(right):
        return "compares an expression with itself"
    return None


def _pure(node: ast.expr) -> bool:
    """Whether evaluating ``node`` twice must give the same value (no calls, no awaits)."""
    return not any(
        isinstance(n, ast.Call | ast.Await | ast.NamedExpr | ast.Yield | ast.YieldFrom)
        for n in ast.walk(node)
    )


def check(ctx: ModuleContext) -> Iterator[Hit]:
    vacuous_in: set[int] = set()
    for node in [*ctx.of(ast.Assert), *ctx.of(ast.Call)]:
        reason = _vacuous_node(node)
        if reason:
            vacuous_in.add(getattr(node, "lineno", 0))
            yield VACUOUS_ASSERTION.at(node, reason)
    oracles = _Oracles(ctx)
    for test in ctx.tests:
        func = test.node
        if trivial(func) or placeholder(ctx, func) is not None or oracles.within(func):
            continue
        end = func.end_lineno or func.lineno
        if any(func.lineno <= line <= end for line in vacuous_in):
            continue
        yield NO_ASSERTION.at(func, f"test {func.name} asserts nothing")


def _vacuous_node(node: ast.AST) -> str | None:
    if isinstance(node, ast.Assert):
        return vacuous(node.test)
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
        return None
    method, args = node.func.attr, node.args
    if method == "assertTrue":
        return vacuous(args[0])
    if method in {"assertEqual", "assertIs"} and len(args) >= 2:
        return _vacuous_compare(args[0], ast.Eq(), args[1])
    return None


class _Oracles:
    """Decides, with memory, whether a function body holds an oracle, following helpers."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.found: dict[int, bool] = {}
        self.helpers = ctx.options.assert_helpers

    def within(self, func: FunctionNode, seen: set[int] | None = None) -> bool:
        key = id(func)
        if key in self.found:
            return self.found[key]
        top = seen is None
        seen = set() if seen is None else seen
        if key in seen:
            return False
        seen.add(key)
        nodes = self.ctx.body_nodes(func)
        local = {n.name: n for n in nodes if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        result = any(self._oracle(node, local, seen) for node in nodes)
        if result or top:
            self.found[key] = result
        return result

    def _oracle(self, node: ast.AST, local: dict[str, FunctionNode], seen: set[int]) -> bool:
        ctx = self.ctx
        if isinstance(node, ast.Assert):
            return vacuous(node.test) is None
        if isinstance(node, ast.Raise):
            return not _raises_not_implemented(node)
        if isinstance(node, ast.Call):
            return self._oracle_call(node)
        helper = None
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            helper = local.get(node.id) or ctx.functions.get(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in {"self", "cls"}
        ):
            helper = ctx.methods.get(node.attr)
        return helper is not None and self.within(helper, seen)

    def _oracle_call(self, node: ast.Call) -> bool:
        if self.ctx.resolve(node.func) in ORACLE_CALLS:
            return True
        name = terminal_name(node.func)
        if name is None:
            return False
        if name == "raise_for_status" or any(fnmatchcase(name, p) for p in self.helpers):
            return True
        if any(_true(k.value) for k in node.keywords if k.arg == "check"):
            return True
        words = {word.lower() for word in _WORDS.findall(name)}
        return not words.isdisjoint(VERBS) and _vacuous_node(node) is None


def _true(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and value.value is True


def _raises_not_implemented(node: ast.Raise) -> bool:
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return isinstance(exc, ast.Name) and exc.id in {"NotImplementedError", "NotImplemented"}
