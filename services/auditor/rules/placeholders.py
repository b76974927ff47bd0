"""``generator-placeholder`` and ``empty-test``: tests that were never written.

A placeholder is what a generator or a hurried author leaves behind: ``raise
NotImplementedError``, ``pytest.fail/skip/xfail("TODO ...")``, a ``pass`` body under a TODO,
or a scaffold marker comment. An empty test is a body of only ``pass``, ``...`` or a
docstring, without such a marker. Either passes (or fails) without testing anything.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from services.auditor.context import ModuleContext
from services.auditor.fixture_discovery import FunctionNode
from services.auditor.rules.base import Hit, Rule

GENERATOR_PLACEHOLDER = Rule(
    "generator-placeholder",
    "error",
    "Test is a placeholder, not a finished test",
    "The test (or a fixture it needs) still holds a placeholder: `raise NotImplementedError`, "
    "`pytest.fail/skip/xfail` with a TODO-like reason, a `pass` body under a TODO comment, or "
    "a scaffold marker (`# seamq: scaffold`). Such a test verifies nothing; a generated file "
    "with one goes back to its generator. Write the test or delete it.",
)
EMPTY_TEST = Rule(
    "empty-test",
    "error",
    "Test has an empty body",
    "A test whose body is only `pass`, `...` or a docstring always passes and verifies "
    "nothing, yet counts as a passing test. Write the test's steps and assertions, or delete "
    "it.",
)
RULES = (GENERATOR_PLACEHOLDER, EMPTY_TEST)

# A reason or comment that *starts* with a marker word, or names seamq's scaffold; a
# marker word in the middle ("todo list", "placeholder left in output") is ordinary prose.
MARKER = re.compile(
    r"^[\W_]*(?:(?:todo|fixme|tbd|xxx|not\s+(?:yet\s+)?implemented|implement\s+(?:me|this)"
    r"|write\s+(?:me|this\s+test)|scaffold)\b|placeholder\s*(?::|test\b))"
    r"|\bseamq:?\s+scaffold",
    re.IGNORECASE,
)
_SCAFFOLD = re.compile(r"\bseamq:?\s*scaffold\b", re.IGNORECASE)
_REASON_CALLS = frozenset({"pytest.fail", "pytest.skip", "pytest.xfail"})


def trivial(func: FunctionNode) -> bool:
    """Whether a body holds only ``pass``, ``...``, a docstring or other bare constants."""
    return all(
        isinstance(stmt, ast.Pass)
        or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        for stmt in func.body
    )


def placeholder(ctx: ModuleContext, func: FunctionNode) -> tuple[ast.AST, str] | None:
    """Where and why ``func`` is a placeholder, or None.

    ``pytest.fail/skip/xfail`` count only as statements of the body itself, where a
    generator puts them; under an ``if`` they are ordinary guards.
    """
    found: dict[int, tuple[ast.AST, str] | None] = ctx.cache.setdefault("placeholder", {})
    if id(func) not in found:
        found[id(func)] = _placeholder(ctx, func)
    return found[id(func)]


def _placeholder(ctx: ModuleContext, func: FunctionNode) -> tuple[ast.AST, str] | None:
    for node in ctx.body_nodes(func):
        if isinstance(node, ast.Raise) and _not_implemented(ctx, node.exc):
            return node, "raises NotImplementedError"
    for stmt in func.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            name = ctx.resolve(stmt.value.func)
            reason = _reason(stmt.value) if name in _REASON_CALLS else ""
            if reason and _marked(reason):
                return stmt.value, f"{name}({reason!r}) is a placeholder"
    if trivial(func):
        end = func.end_lineno or func.lineno
        texts = [ast.get_docstring(func) or ""]
        texts += [ctx.comment_at(n) for n in range(func.lineno, end + 1)]
        if any(_marked(text) for text in texts):
            return func, "has only a placeholder body under a TODO"
    return None


def _marked(text: str) -> bool:
    return any(MARKER.search(line) for line in text.splitlines())


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for test in ctx.tests:
        found = placeholder(ctx, test.node)
        if found is not None:
            node, why = found
            yield GENERATOR_PLACEHOLDER.at(node, f"test {test.node.name} {why}")
        elif trivial(test.node):
            yield EMPTY_TEST.at(test.node, f"test {test.node.name} has an empty body")
    module_level = set(map(id, ctx.functions.values()))
    for func, name in ctx.fixtures:
        found = placeholder(ctx, func) if id(func) in module_level else None
        if found is not None:
            yield GENERATOR_PLACEHOLDER.at(found[0], f"fixture {name} {found[1]}")
    if _SCAFFOLD.search(ctx.source):
        for line, text in sorted(ctx.comments.items()):
            if _SCAFFOLD.search(text):
                col = ctx.lines[line - 1].find("#") + 1
                yield Hit(GENERATOR_PLACEHOLDER.id, line, col, "scaffold marker: not a test yet")


def _not_implemented(ctx: ModuleContext, exc: ast.expr | None) -> bool:
    target = exc.func if isinstance(exc, ast.Call) else exc
    return target is not None and (
        ctx.builtin(target, "NotImplementedError") or ctx.builtin(target, "NotImplemented")
    )


def _reason(call: ast.Call) -> str:
    for keyword in call.keywords:
        if keyword.arg in {"reason", "msg"} and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return ""
