"""Name resolution over a module's imports: which dotted name an expression refers to."""

from __future__ import annotations

import ast
from collections.abc import Iterable


def import_aliases(nodes: Iterable[ast.AST]) -> dict[str, str]:
    """Map each name bound by an import to the dotted name it stands for.

    ``import a.b`` binds ``a``; ``import a.b as x`` binds ``x`` to ``a.b``;
    ``from a import b as c`` binds ``c`` to ``a.b``. Relative imports keep their dots.
    """
    aliases: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    root = alias.name.split(".", 1)[0]
                    aliases[root] = root
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    separator = "." if module.strip(".") else ""
                    qualified = f"{module}{separator}{alias.name}"
                    aliases[alias.asname or alias.name] = qualified
    return aliases


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, as written; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def resolve(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """The fully qualified name of an attribute chain whose root name was imported."""
    name = dotted(node)
    if name is None:
        return None
    root, _, rest = name.partition(".")
    target = aliases.get(root)
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target


def terminal_name(node: ast.AST) -> str | None:
    """The last name of a call target: ``f`` in ``f()``, ``m`` in ``obj.m()``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def matches_module(name: str, modules: Iterable[str]) -> str | None:
    """The entry of ``modules`` that ``name`` is, or lies inside (``a.b.c`` is inside ``a.b``)."""
    for module in modules:
        if name == module or name.startswith(module + "."):
            return module
    return None
