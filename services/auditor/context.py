"""What the rules see of one test module: its tree, imports, tests, fixtures and helpers.

Collection follows pytest's defaults: functions named ``test*`` at module level, and
methods named ``test*`` in classes named ``Test*``, in ``unittest.TestCase`` subclasses
and in the in-module base classes those inherit tests from (abstract suites).
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any, TypeVar

from services.auditor.fixture_discovery import FunctionNode, fixture_name, module_functions
from services.auditor.names import import_aliases, resolve
from services.auditor.options import AuditOptions

Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
N = TypeVar("N", bound=ast.AST)
_WALKED = (
    ast.mod, ast.stmt, ast.expr, ast.excepthandler, ast.arguments, ast.arg, ast.keyword,
    ast.alias, ast.withitem, ast.match_case, ast.pattern, ast.comprehension, ast.type_ignore,
)  # fmt: skip


@dataclass(frozen=True)
class CollectedTest:
    """A test function or method, with its enclosing classes (outermost first)."""

    node: FunctionNode
    classes: tuple[ast.ClassDef, ...] = ()


class ModuleContext:
    """One parsed test module and everything the rules derive from it, computed once."""

    def __init__(
        self,
        path: str,
        source: str,
        tree: ast.Module,
        *,
        options: AuditOptions,
        conftest_fixtures: Collection[str] = (),
        seam_slug: str | None = None,
        expected_names: Collection[str] = (),
    ) -> None:
        self.path = path
        self.filename = PurePosixPath(path.replace("\\", "/")).name
        self.source = source
        self.lines = source.splitlines()
        self.tree = tree
        self.options = options
        self.conftest_fixtures = frozenset(conftest_fixtures)
        self.seam_slug = seam_slug
        self.expected_names = frozenset(expected_names)
        self._by_type: dict[type[ast.AST], list[ast.AST]] = {}
        self._bodies: dict[int, list[ast.AST]] = {}
        self._index(tree)
        self.aliases = import_aliases([*self.of(ast.Import), *self.of(ast.ImportFrom)])
        self.defined: set[str] = {f.name for f in self.of(ast.FunctionDef)}
        self.defined |= {f.name for f in self.of(ast.AsyncFunctionDef)}
        self.defined |= {c.name for c in self.of(ast.ClassDef)}
        self.cache: dict[str, Any] = {}
        self.functions: dict[str, FunctionNode] = {}
        self.methods: dict[str, FunctionNode] = {}
        self.tests: list[CollectedTest] = []
        self.test_classes: list[ast.ClassDef] = []
        self.fixtures: list[tuple[FunctionNode, str]] = []
        self._collect()

    def of(self, kind: type[N]) -> list[N]:
        """Every node of one type in the module."""
        return self._by_type.get(kind, [])  # type: ignore[return-value]

    def resolve(self, node: ast.AST) -> str | None:
        """Fully qualified name of ``node`` when its root name was imported."""
        return resolve(node, self.aliases)

    def builtin(self, node: ast.AST, name: str) -> bool:
        """Whether ``node`` is the builtin ``name``, not shadowed by an import or a def."""
        return (
            isinstance(node, ast.Name)
            and node.id == name
            and name not in self.aliases
            and name not in self.defined
        )

    def body_nodes(self, func: FunctionNode) -> list[ast.AST]:
        """Every node in a function's body, not descending into nested defs or lambdas."""
        return self._bodies.get(id(func), [])

    def comment_at(self, line: int) -> str:
        """The comment ending source line ``line`` (1-based), or ``""``.

        A quick reading: a ``#`` with an even number of quotes before it starts a comment.
        Exact enough for marker words; ``comments`` tokenizes when exactness matters.
        """
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        start = text.find("#")
        while start >= 0:
            before = text[:start]
            if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
                return text[start:]
            start = text.find("#", start + 1)
        return ""

    def _index(self, tree: ast.Module) -> None:
        """One walk: the nodes by type, and the body nodes of each scope.

        Contexts and operators (``Load``, ``Add``, ``Eq`` ...) are left out: no rule asks
        for them and they are a third of all nodes.
        """
        by_type, bodies = self._by_type, self._bodies
        stack: list[tuple[ast.AST, ast.AST | None]] = [(tree, None)]
        while stack:
            node, scope = stack.pop()
            by_type.setdefault(type(node), []).append(node)
            if scope is not None:
                bodies.setdefault(id(scope), []).append(node)
            scoped = node.body if isinstance(node, Scope) else None
            for field in node._fields:
                value = getattr(node, field, None)
                owner = node if value is scoped else scope
                if isinstance(value, list):
                    stack.extend((item, owner) for item in value if isinstance(item, _WALKED))
                elif isinstance(value, _WALKED):
                    stack.append((value, owner))

    @cached_property
    def main_guards(self) -> list[tuple[int, int]]:
        """Line ranges of top-level ``if __name__ == "__main__":`` blocks."""
        ranges = []
        for stmt in self.tree.body:
            if isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Compare):
                sides = [stmt.test.left, *stmt.test.comparators]
                if any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides):
                    ranges.append((stmt.lineno, stmt.end_lineno or stmt.lineno))
        return ranges

    def in_main_guard(self, node: ast.AST) -> bool:
        line = getattr(node, "lineno", 0)
        return any(start <= line <= end for start, end in self.main_guards)

    @cached_property
    def comments(self) -> dict[int, str]:
        """Comment text by line number."""
        found: dict[int, str] = {}
        try:
            for token in tokenize.generate_tokens(io.StringIO(self.source).readline):
                if token.type == tokenize.COMMENT:
                    found[token.start[0]] = token.string
        except (tokenize.TokenError, SyntaxError):
            for number, line in enumerate(self.lines, 1):
                if "#" in line:
                    found[number] = line[line.index("#") :]
        return found

    def marks(self, exprs: list[ast.expr]) -> Iterator[tuple[str, ast.expr]]:
        """(qualified name, node) of each decorator or mark, looking into lists and tuples."""
        for expr in exprs:
            if isinstance(expr, ast.List | ast.Tuple):
                yield from self.marks(expr.elts)
                continue
            target = expr.func if isinstance(expr, ast.Call) else expr
            name = self.resolve(target)
            if name is not None:
                yield name, expr

    def _collect(self) -> None:
        module_off = any(
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__test__" for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
            and not stmt.value.value
            for stmt in self.tree.body
        )
        for func in module_functions(self.tree.body):
            self.functions[func.name] = func
            self._add_function(func, (), collectable=not module_off)
        classes = [stmt for stmt in self.tree.body if isinstance(stmt, ast.ClassDef)]
        collected = {c.name for c in classes if _collected_class(c)}
        suites = _inherited_suites(classes, collected)
        for cls in classes:
            self._add_class(cls, (), cls.name in collected, cls.name in suites and not module_off)

    def _add_function(
        self, func: FunctionNode, classes: tuple[ast.ClassDef, ...], *, collectable: bool
    ) -> None:
        name = fixture_name(func, self.aliases)
        if name is not None:
            self.fixtures.append((func, name))
        elif collectable and func.name.startswith("test"):
            self.tests.append(CollectedTest(func, classes))

    def _add_class(
        self, cls: ast.ClassDef, outer: tuple[ast.ClassDef, ...], collected: bool, tests: bool
    ) -> None:
        if collected:
            self.test_classes.append(cls)
        chain = (*outer, cls)
        for stmt in cls.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self.methods.setdefault(stmt.name, stmt)
                self._add_function(stmt, chain, collectable=tests)
            elif isinstance(stmt, ast.ClassDef):
                inner = tests and _collected_class(stmt)
                self._add_class(stmt, chain, inner, inner)


def _collected_class(cls: ast.ClassDef) -> bool:
    """Whether pytest collects this class: ``Test*`` or a ``TestCase``, not ``__test__ = False``."""
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Constant)
            and any(isinstance(t, ast.Name) and t.id == "__test__" for t in stmt.targets)
        ):
            return bool(stmt.value.value)
    if cls.name.startswith("Test"):
        return True
    return any(_base_name(base).endswith("TestCase") for base in cls.bases)


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Attribute):
        return base.attr
    return base.id if isinstance(base, ast.Name) else ""


def _inherited_suites(classes: list[ast.ClassDef], collected: set[str]) -> set[str]:
    """Collected classes plus the in-module bases they inherit test methods from."""
    by_name = {cls.name: cls for cls in classes}
    suites: set[str] = set()
    pending = list(collected)
    while pending:
        name = pending.pop()
        if name in suites or name not in by_name:
            continue
        suites.add(name)
        pending.extend(_base_name(base) for base in by_name[name].bases)
    return suites
