"""``fixture-redefined``: the shared fixtures of conftest.py are used as they are.

A test module must not define a fixture that a conftest.py in its directory or above
already provides, nor shadow one with ``parametrize`` values. With the option
``forbid_new_fixtures`` every fixture belongs in conftest.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from services.auditor.context import ModuleContext
from services.auditor.rules.base import Hit, Rule

FIXTURE_REDEFINED = Rule(
    "fixture-redefined",
    "error",
    "Test module redefines a shared fixture",
    "The fixtures in conftest.py set up the real services the way the whole suite agreed on. "
    "A test module that defines a fixture of the same name (or parametrizes that name) "
    "silently replaces it for its tests, so they no longer test what the suite tests. Request "
    "the shared fixture as it is; if it lacks something, change conftest.py for everyone. "
    "With `forbid_new_fixtures = true` the policy keeps all fixtures in conftest.py.",
)
RULES = (FIXTURE_REDEFINED,)


def check(ctx: ModuleContext) -> Iterator[Hit]:
    shared = ctx.conftest_fixtures
    for func, name in ctx.fixtures:
        if name in shared:
            yield FIXTURE_REDEFINED.at(
                func, f"fixture {name!r} redefines the one conftest.py provides"
            )
        elif ctx.options.forbid_new_fixtures:
            yield FIXTURE_REDEFINED.at(
                func,
                f"fixture {name!r} is defined in a test module; the policy keeps fixtures"
                " in conftest.py",
            )
    if not shared:
        return
    for node in ctx.of(ast.Call):
        if ctx.resolve(node.func) == "pytest.mark.parametrize":
            for name in sorted(_direct_argnames(node) & shared):
                yield FIXTURE_REDEFINED.at(
                    node, f"parametrize replaces the conftest fixture {name!r} with values"
                )


def _direct_argnames(node: ast.Call) -> set[str]:
    """Parametrized argument names that are not passed on to fixtures (``indirect``)."""
    if not node.args:
        return set()
    first = node.args[0]
    names: set[str] = set()
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        names = {n.strip() for n in first.value.split(",") if n.strip()}
    elif isinstance(first, ast.List | ast.Tuple):
        names = {
            e.value.strip()
            for e in first.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        }
    for keyword in node.keywords:
        if keyword.arg != "indirect":
            continue
        value = keyword.value
        if isinstance(value, ast.Constant):
            return set() if value.value else names
        if isinstance(value, ast.List | ast.Tuple):
            return names - {e.value for e in value.elts if isinstance(e, ast.Constant)}
        return set()
    return names
