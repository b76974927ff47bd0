"""``sleep-wait`` and ``async-no-timeout``: tests wait on conditions, and cannot hang.

``sleep-wait`` looks at test bodies only: a polling helper that sleeps between checks under
a deadline is the recommended way to wait, and fixtures may pace a service's start-up.
``asyncio.sleep(0)`` only yields to the loop and is not a wait.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from services.auditor.context import CollectedTest, ModuleContext
from services.auditor.rules.base import Hit, Rule

SLEEP_WAIT = Rule(
    "sleep-wait",
    "warning",
    "Test sleeps to wait for something",
    "A fixed sleep is either too short on a loaded CI runner (a flaky test) or too long "
    "everywhere else (a slow suite). Wait for the condition itself: an event, a readiness "
    "probe, a queue drained, or a polling helper with a deadline.",
)
ASYNC_NO_TIMEOUT = Rule(
    "async-no-timeout",
    "warning",
    "Async test has no timeout",
    "An async test that awaits a message, a connection or a future that never comes hangs "
    "the whole run until the job's wall-clock limit kills it, with no hint of which await "
    "hung. Mark it `@pytest.mark.timeout(N)` (on the test, its class or the module's "
    "`pytestmark`) or bound its awaits with `asyncio.timeout` / `asyncio.wait_for` (anyio "
    "and trio equivalents count). A suite-wide pytest-timeout setting is not visible to the "
    "auditor; turn this rule off in the policy if you rely on one.",
)
RULES = (SLEEP_WAIT, ASYNC_NO_TIMEOUT)

SLEEPS = frozenset(
    {"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep", "eventlet.sleep"}
)
TIMEOUT_CALLS = frozenset(
    {
        "asyncio.timeout", "asyncio.timeout_at", "asyncio.wait_for", "async_timeout.timeout",
        "anyio.fail_after", "anyio.move_on_after", "trio.fail_after", "trio.fail_at",
        "trio.move_on_after", "trio.move_on_at",
    }
)  # fmt: skip
TIMEOUT_MARK = "pytest.mark.timeout"


def check(ctx: ModuleContext) -> Iterator[Hit]:
    module_marks = _pytestmark(ctx, ctx.tree.body)
    for test in ctx.tests:
        nodes = ctx.body_nodes(test.node)
        for node in nodes:
            if isinstance(node, ast.Call) and not _yields_only(node):
                name = ctx.resolve(node.func)
                if name in SLEEPS:
                    yield SLEEP_WAIT.at(node, f"{name}() in test {test.node.name}")
        if isinstance(test.node, ast.AsyncFunctionDef) and not (
            module_marks or _marked(ctx, test) or _bounded(ctx, nodes)
        ):
            yield ASYNC_NO_TIMEOUT.at(test.node, f"async test {test.node.name} has no timeout")


def _yields_only(call: ast.Call) -> bool:
    """``sleep(0)``: hands control to the event loop, waits for nothing."""
    return bool(call.args) and isinstance(call.args[0], ast.Constant) and call.args[0].value == 0


def _pytestmark(ctx: ModuleContext, body: list[ast.stmt]) -> bool:
    for stmt in body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets)
            and any(name == TIMEOUT_MARK for name, _ in ctx.marks([stmt.value]))
        ):
            return True
    return False


def _marked(ctx: ModuleContext, test: CollectedTest) -> bool:
    if any(name == TIMEOUT_MARK for name, _ in ctx.marks(test.node.decorator_list)):
        return True
    return any(
        _pytestmark(ctx, cls.body)
        or any(name == TIMEOUT_MARK for name, _ in ctx.marks(cls.decorator_list))
        for cls in test.classes
    )


def _bounded(ctx: ModuleContext, nodes: list[ast.AST]) -> bool:
    return any(
        isinstance(node, ast.Call) and ctx.resolve(node.func) in TIMEOUT_CALLS for node in nodes
    )
