"""``swallowed-exception``: a test must not catch and discard the failure it exists to show.

Flagged in test bodies: a bare ``except:``, or ``except Exception / BaseException /
AssertionError`` whose handler neither re-raises, fails, skips nor asserts, nor keeps the
exception (``except Exception as e: errors.append(e)`` is fine); and
``contextlib.suppress`` of those. Narrow handlers (``except KeyError``) are not flagged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from services.auditor.context import ModuleContext
from services.auditor.names import terminal_name
from services.auditor.rules.base import Hit, Rule

SWALLOWED_EXCEPTION = Rule(
    "swallowed-exception",
    "error",
    "Test swallows exceptions",
    "A bare `except:` or `except Exception: pass` around the code under test turns every "
    "failure, including a failed assertion, into a pass. Let the exception propagate; use "
    "`pytest.raises(SpecificError)` when an error is the expected outcome; catch a named "
    "exception and assert on it when the test must inspect it.",
)
RULES = (SWALLOWED_EXCEPTION,)

BROAD = frozenset({"Exception", "BaseException", "AssertionError"})
_HANDLING_CALLS = frozenset({"pytest.fail", "pytest.skip", "pytest.xfail", "pytest.raises"})
_HANDLING_METHODS = frozenset({"fail", "skipTest"})


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for test in ctx.tests:
        name = test.node.name
        for node in ctx.body_nodes(test.node):
            if isinstance(node, ast.Try | ast.TryStar):
                for handler in node.handlers:
                    caught = _caught(ctx, handler)
                    if caught and not _handles(ctx, handler):
                        yield SWALLOWED_EXCEPTION.at(
                            handler, f"{caught} in test {name} hides failures"
                        )
            elif isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    call = item.context_expr
                    if (
                        isinstance(call, ast.Call)
                        and ctx.resolve(call.func) == "contextlib.suppress"
                    ):
                        broad = next(filter(None, (_broad(ctx, arg) for arg in call.args)), None)
                        if broad:
                            yield SWALLOWED_EXCEPTION.at(
                                call, f"suppress({broad}) in test {name} hides failures"
                            )


def _caught(ctx: ModuleContext, handler: ast.ExceptHandler) -> str | None:
    if handler.type is None:
        return "bare except"
    broad = _broad(ctx, handler.type)
    return f"except {broad}" if broad else None


def _broad(ctx: ModuleContext, caught: ast.expr) -> str | None:
    """The broad exception name ``caught`` lists (everything, or assertion failures)."""
    for element in caught.elts if isinstance(caught, ast.Tuple) else [caught]:
        name = ctx.resolve(element) or (element.id if isinstance(element, ast.Name) else "")
        name = name.removeprefix("builtins.")
        if name in BROAD:
            return name
    return None


def _handles(ctx: ModuleContext, handler: ast.ExceptHandler) -> bool:
    """Whether a handler re-raises, fails, skips, asserts or keeps the exception."""
    for node in (n for stmt in handler.body for n in ast.walk(stmt)):
        if isinstance(node, ast.Raise | ast.Assert):
            return True
        if isinstance(node, ast.Name) and handler.name and node.id == handler.name:
            return True
        if isinstance(node, ast.Call):
            if ctx.resolve(node.func) in _HANDLING_CALLS:
                return True
            method = terminal_name(node.func) or ""
            if method in _HANDLING_METHODS or method.lower().startswith("assert"):
                return True
    return False
