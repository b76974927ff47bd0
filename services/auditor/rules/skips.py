"""``skip-without-reason``: a test that does not run says why.

Covers ``pytest.mark.skip/skipif/xfail`` (called without a reason, or used bare),
``pytest.skip()/xfail()``, ``unittest.skip*`` and ``self.skipTest`` with an empty reason.
A ``skipif``/``xfail`` with a string condition is exempt: pytest reports the condition.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from services.auditor.context import ModuleContext
from services.auditor.rules.base import Hit, Rule

SKIP_WITHOUT_REASON = Rule(
    "skip-without-reason",
    "warning",
    "Skip or xfail without a reason",
    "A skipped or expected-to-fail test without a reason reads as 'S' or 'x' in the report "
    "and nobody can tell whether it is still needed, so it stays skipped forever. Give the "
    'reason (`@pytest.mark.skip(reason="...")`, `skipif(cond, reason="...")`, '
    '`pytest.skip("...")`), ideally with the issue that will lift it.',
)
RULES = (SKIP_WITHOUT_REASON,)

_BARE_MARKS = frozenset({"pytest.mark.skip", "pytest.mark.xfail"})
_BARE_ATTRS = frozenset({"skip", "xfail"})
_CONDITION_MARKS = frozenset({"pytest.mark.skipif", "pytest.mark.xfail"})
_REASON_FIRST = frozenset({"pytest.mark.skip", "pytest.skip", "pytest.xfail", "unittest.skip"})
_REASON_SECOND = frozenset({"unittest.skipIf", "unittest.skipUnless"})


def check(ctx: ModuleContext) -> Iterator[Hit]:
    calls = ctx.of(ast.Call)
    for node in calls:
        name = ctx.resolve(node.func)
        if name is None and _is_skip_test(node.func):
            name = "self.skipTest"
        if name is not None and _lacks_reason(name, node):
            yield SKIP_WITHOUT_REASON.at(node, f"{name} without a reason")
    called = {id(node.func) for node in calls}
    for attribute in ctx.of(ast.Attribute):
        if attribute.attr in _BARE_ATTRS and id(attribute) not in called:
            name = ctx.resolve(attribute)
            if name in _BARE_MARKS:
                yield SKIP_WITHOUT_REASON.at(attribute, f"{name} without a reason")


def _is_skip_test(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "skipTest"
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
    )


def _lacks_reason(name: str, call: ast.Call) -> bool:
    reason = next((k.value for k in call.keywords if k.arg in {"reason", "msg"}), None)
    if name in _CONDITION_MARKS:
        condition = call.args[0] if call.args else None
        if reason is None and isinstance(condition, ast.Constant):
            return not isinstance(condition.value, str)
        return reason is None or _blank(reason)
    if name in _REASON_FIRST or name == "self.skipTest":
        position = 0
    elif name in _REASON_SECOND:
        position = 1
    else:
        return False
    if reason is None and len(call.args) > position:
        reason = call.args[position]
    return reason is None or _blank(reason)


def _blank(reason: ast.expr) -> bool:
    """A literal reason that says nothing; an expression is taken to say something."""
    return isinstance(reason, ast.Constant) and not str(reason.value or "").strip()
