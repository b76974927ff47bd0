"""``verdict-tampering``: a test module must not change how its own result is judged.

Flagged: importing pytest internals (``_pytest``); patching attributes of ``pytest`` or
``_pytest``; defining ``pytest_*`` hook functions (``pytest_generate_tests`` is a
legitimate test-module hook) or loading plugins through ``pytest_plugins``; ending the
process (``sys.exit``, ``os._exit``, ``os.abort``, ``exit()``, ``pytest.exit``,
``signal.raise_signal``, ``raise KeyboardInterrupt``) anywhere but an
``if __name__ == "__main__":`` block; ``os.kill``/``os.killpg`` aimed at the test process,
its parent or its group. Killing a child process the test started is not tampering.
Obfuscated forms count too: ``getattr`` on ``os``, ``sys``, ``signal`` or pytest with a name
that is not a plain string (``getattr(os, "_ex" + "it")``) or that names an exit, and
``importlib.import_module``/``__import__`` of pytest internals or of a computed name.
Inline ``# seamq: ignore`` comments cannot silence this rule (``services/auditor/engine.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from services.auditor.context import ModuleContext
from services.auditor.names import matches_module
from services.auditor.rules.base import Hit, Rule

VERDICT_TAMPERING = Rule(
    "verdict-tampering",
    "error",
    "Test module tampers with the test verdict",
    "A test module that imports or patches pytest internals, defines pytest hooks, loads "
    "plugins or ends the interpreter can rewrite outcomes, hide failures or stop the run "
    "with an exit code of its own choosing, so none of its results can be trusted. Test "
    "behaviour through the code under test only; shared hooks and plugins belong in "
    "conftest.py, reviewed like the rest of the suite.",
)
RULES = (VERDICT_TAMPERING,)

INTERNALS = ("_pytest", "pytest")
EXITS = frozenset(
    {"sys.exit", "os._exit", "os.abort", "pytest.exit", "signal.raise_signal", "_thread.exit"}
)
KILLS = frozenset({"os.kill", "os.killpg"})
_OWN = frozenset({"os.getpid", "os.getppid", "os.getpgrp", "os.getpgid"})
_LEGITIMATE_HOOKS = frozenset({"pytest_generate_tests"})
_GUARDED = ("os", "sys", "signal", "_thread", "pytest", "_pytest")
_IMPORTERS = frozenset({"importlib.import_module", "importlib.__import__"})


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for func in ctx.functions.values():
        if func.name.startswith("pytest_") and func.name not in _LEGITIMATE_HOOKS:
            yield VERDICT_TAMPERING.at(func, f"defines the pytest hook {func.name}")
    for imported in ctx.of(ast.Import):
        for alias in imported.names:
            if matches_module(alias.name, ("_pytest",)):
                yield VERDICT_TAMPERING.at(imported, f"imports pytest internals ({alias.name})")
    for imported_from in ctx.of(ast.ImportFrom):
        if matches_module(imported_from.module or "", ("_pytest",)):
            module = imported_from.module
            yield VERDICT_TAMPERING.at(imported_from, f"imports pytest internals ({module})")
    assignments: list[ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete] = [
        *ctx.of(ast.Assign),
        *ctx.of(ast.AugAssign),
        *ctx.of(ast.AnnAssign),
        *ctx.of(ast.Delete),
    ]
    for assignment in assignments:
        yield from _assignment(ctx, assignment)
    for call in ctx.of(ast.Call):
        yield from _call(ctx, call)
    for node in ctx.of(ast.Raise):
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if (
            exc is not None
            and ctx.builtin(exc, "KeyboardInterrupt")
            and not ctx.in_main_guard(node)
        ):
            yield VERDICT_TAMPERING.at(node, "raises KeyboardInterrupt, which stops the run")


def _assignment(
    ctx: ModuleContext, node: ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete
) -> Iterator[Hit]:
    targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
    for target in targets:
        if isinstance(target, ast.Attribute):
            name = ctx.resolve(target)
            if name is not None and matches_module(name, INTERNALS):
                yield VERDICT_TAMPERING.at(node, f"patches pytest internals ({name})")
        elif isinstance(target, ast.Name) and target.id == "pytest_plugins" and not node.col_offset:
            yield VERDICT_TAMPERING.at(node, "loads pytest plugins from a test module")


def _call(ctx: ModuleContext, node: ast.Call) -> Iterator[Hit]:
    func = node.func
    name = ctx.resolve(func)
    if name is None and (ctx.builtin(func, "exit") or ctx.builtin(func, "quit")):
        name = "exit"
    if name in EXITS or name == "exit":
        if not ctx.in_main_guard(node):
            yield VERDICT_TAMPERING.at(node, f"{name}() ends the test process")
    elif name in KILLS and node.args and _own_process(ctx, node.args[0]):
        yield VERDICT_TAMPERING.at(node, f"{name}() signals the test process itself")
    elif (ctx.builtin(func, "getattr") or ctx.builtin(func, "setattr")) and len(node.args) > 1:
        yield from _dynamic_attribute(ctx, node)
    elif name in _IMPORTERS or ctx.builtin(func, "__import__"):
        yield from _dynamic_import(node)
    elif (
        isinstance(func, ast.Attribute)
        and func.attr in {"setattr", "delattr", "setitem"}
        and isinstance(func.value, ast.Name)
        and func.value.id == "monkeypatch"
        and node.args
    ):
        first = node.args[0]
        target = str(first.value) if isinstance(first, ast.Constant) else ctx.resolve(first)
        if target is not None and matches_module(target, INTERNALS):
            yield VERDICT_TAMPERING.at(node, f"patches pytest internals ({target})")


def _dynamic_attribute(ctx: ModuleContext, node: ast.Call) -> Iterator[Hit]:
    """``getattr``/``setattr`` on a guarded module with a computed name, an exit's name, or
    (``setattr``) on pytest internals."""
    target = ctx.resolve(node.args[0])
    if target is None or not matches_module(target, _GUARDED):
        return
    attr = node.args[1]
    literal = attr.value if isinstance(attr, ast.Constant) and isinstance(attr.value, str) else None
    if literal is None:
        yield VERDICT_TAMPERING.at(node, f"looks up an attribute of {target} by a computed name")
    elif f"{target}.{literal}" in EXITS | KILLS:
        yield VERDICT_TAMPERING.at(node, f"reaches {target}.{literal} through getattr")
    elif ctx.builtin(node.func, "setattr") and matches_module(target, INTERNALS):
        yield VERDICT_TAMPERING.at(node, f"patches pytest internals ({target})")


def _dynamic_import(node: ast.Call) -> Iterator[Hit]:
    if not node.args:
        return
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        yield VERDICT_TAMPERING.at(node, "imports a module by a computed name")
    elif matches_module(first.value, ("_pytest",)):
        yield VERDICT_TAMPERING.at(node, f"imports pytest internals ({first.value})")


def _own_process(ctx: ModuleContext, target: ast.expr) -> bool:
    """Whether a kill target is this process, its parent or its process group."""
    if isinstance(target, ast.Call):
        return ctx.resolve(target.func) in _OWN
    if isinstance(target, ast.UnaryOp) and isinstance(target.op, ast.USub):
        return isinstance(target.operand, ast.Constant) and target.operand.value == 1
    return isinstance(target, ast.Constant) and target.value == 0
