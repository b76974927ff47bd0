"""``mock-usage``: integration tests exercise the real collaborators of a seam.

Found where mocking happens, never at an import alone: calls, decorators and references
that resolve into the forbidden modules (option ``forbidden_mock_modules``), the mock
classes wherever they come from, a module attribute replaced by a stand-in, and mocking
fixtures requested as parameters or through ``usefixtures`` (option
``forbidden_mock_fixtures``). An unused ``from unittest.mock import patch`` mocks nothing.
``monkeypatch`` is allowed by default (option
``allow_monkeypatch``) for environment variables, the working directory and settings
values; installing a stand-in with it (a lambda, a function or class defined in the test
module) or replacing a module in ``sys.modules`` is still mocking.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from services.auditor.context import ModuleContext
from services.auditor.names import matches_module
from services.auditor.rules.base import Hit, Rule

MOCK_USAGE = Rule(
    "mock-usage",
    "error",
    "Integration test uses mocks",
    "An integration test proves that real parts work together across a seam; a mock replaces "
    "one side of the seam with the test author's assumption of it, so the test can pass while "
    "the integration is broken. Use the real service (the shared fixtures provide them), not "
    "unittest.mock, pytest-mock's `mocker`, MagicMock/AsyncMock/patch/create_autospec or HTTP "
    "mocking libraries. `monkeypatch` may set environment variables and settings; it may not "
    "install stand-in code. A justified exception takes `# seamq: ignore[mock-usage]`.",
)
RULES = (MOCK_USAGE,)

MOCK_CLASSES = frozenset(
    {"MagicMock", "AsyncMock", "NonCallableMagicMock", "NonCallableMock", "create_autospec"}
)
_WHY = "integration tests use the real collaborator"


def check(ctx: ModuleContext) -> Iterator[Hit]:
    modules = ctx.options.forbidden_mock_modules
    fixtures = set(ctx.options.forbidden_mock_fixtures)
    if not ctx.options.allow_monkeypatch:
        fixtures.add("monkeypatch")
    calls = ctx.of(ast.Call)
    callees = {id(call.func) for call in calls}
    yield from _references(ctx, modules, callees)
    yield from _replaced_attributes(ctx)
    for call in calls:
        yield from _call(ctx, call, fixtures)
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
        *ctx.of(ast.FunctionDef),
        *ctx.of(ast.AsyncFunctionDef),
    ]
    for func in functions:
        args = func.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            if arg.arg in fixtures:
                yield MOCK_USAGE.at(arg, f"requests the {arg.arg} fixture: {_WHY}")


def _references(ctx: ModuleContext, modules: tuple[str, ...], callees: set[int]
                ) -> Iterator[Hit]:
    """Non-call uses of a forbidden module: ``@respx.mock``, ``with responses.mock:``."""
    inner = {id(node.value) for node in ctx.of(ast.Attribute)}
    for node in (*ctx.of(ast.Attribute), *ctx.of(ast.Name)):
        if id(node) in callees or id(node) in inner or not isinstance(
                getattr(node, "ctx", None), ast.Load):
            continue
        name = ctx.resolve(node)
        if name is not None and matches_module(name, modules):
            yield MOCK_USAGE.at(node, f"uses {name}: {_WHY}")


def _replaced_attributes(ctx: ModuleContext) -> Iterator[Hit]:
    """``gateway.charge = fake_charge``: a component's attribute replaced by stand-in code."""
    for assign in ctx.of(ast.Assign):
        value = assign.value
        stand_in = isinstance(value, ast.Lambda) or (
            isinstance(value, ast.Name) and value.id in ctx.defined)
        if not stand_in:
            continue
        for target in assign.targets:
            if isinstance(target, ast.Attribute) and ctx.resolve(target.value) is not None:
                yield MOCK_USAGE.at(assign, f"replaces {ctx.resolve(target)} with stand-in "
                                    f"code: {_WHY}")


def _call(ctx: ModuleContext, node: ast.Call, fixtures: set[str]) -> Iterator[Hit]:
    func = node.func
    name = ctx.resolve(func)
    if name is not None:
        if matches_module(name, ctx.options.forbidden_mock_modules):
            yield MOCK_USAGE.at(node, f"uses {name}: {_WHY}")
            return
        if name.rsplit(".", 1)[-1] in MOCK_CLASSES:
            yield MOCK_USAGE.at(node, f"uses {name}: {_WHY}")
            return
        if name == "pytest.mark.usefixtures":
            for arg in node.args:
                if isinstance(arg, ast.Constant) and arg.value in fixtures:
                    yield MOCK_USAGE.at(arg, f"requests the {arg.value} fixture: {_WHY}")
            return
    if isinstance(func, ast.Name) and func.id in MOCK_CLASSES and func.id not in ctx.defined:
        yield MOCK_USAGE.at(node, f"uses {func.id}: {_WHY}")
    elif (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "monkeypatch"
        and "monkeypatch" not in fixtures
    ):
        reason = _stand_in(ctx, func.attr, node)
        if reason:
            yield MOCK_USAGE.at(node, f"monkeypatch.{func.attr} {reason}: {_WHY}")


def _stand_in(ctx: ModuleContext, method: str, node: ast.Call) -> str | None:
    """Why a monkeypatch call installs a stand-in, or None when it only sets a value."""
    if method == "setitem" and node.args:
        if ctx.resolve(node.args[0]) == "sys.modules":
            return "replaces a module in sys.modules"
        return None
    if method != "setattr":
        return None
    value = next((k.value for k in node.keywords if k.arg == "value"), None)
    if value is None and len(node.args) >= 2:
        value = node.args[-1]
    if isinstance(value, ast.Lambda):
        return "installs a lambda"
    if isinstance(value, ast.Name) and value.id in ctx.defined:
        return f"installs the stand-in {value.id}"
    return None
