"""Fixture discovery: which functions are pytest fixtures, and what conftest files provide."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from services.auditor.names import import_aliases, resolve

FIXTURE_DECORATORS = frozenset({"pytest.fixture", "pytest.yield_fixture", "pytest_asyncio.fixture"})

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def fixture_name(func: FunctionNode, aliases: dict[str, str]) -> str | None:
    """The name a fixture is requested by (``name=`` or the function's), or None if not one."""
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if resolve(target, aliases) not in FIXTURE_DECORATORS:
            continue
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                value = keyword.value
                if keyword.arg == "name" and isinstance(value, ast.Constant):
                    return str(value.value)
        return func.name
    return None


def module_functions(body: list[ast.stmt]) -> Iterator[FunctionNode]:
    """Functions defined at module level, including under ``if``/``try``/``with`` blocks."""
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            yield stmt
        elif isinstance(stmt, ast.If | ast.With | ast.AsyncWith):
            yield from module_functions(stmt.body)
            yield from module_functions(getattr(stmt, "orelse", []))
        elif isinstance(stmt, ast.Try | ast.TryStar):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                yield from module_functions(block)
            for handler in stmt.handlers:
                yield from module_functions(handler.body)


def conftest_fixtures(conftests: Mapping[str, str]) -> set[str]:
    """Fixture names defined at module level in conftest sources (path -> content).

    A conftest that does not parse contributes nothing: pytest itself will report it.
    """
    names: set[str] = set()
    for content in conftests.values():
        try:
            tree = ast.parse(content)
        except (SyntaxError, ValueError):
            continue
        aliases = import_aliases(ast.walk(tree))
        for func in module_functions(tree.body):
            name = fixture_name(func, aliases)
            if name is not None:
                names.add(name)
    return names
