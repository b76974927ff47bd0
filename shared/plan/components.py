"""Which code a seam is about: its ``Component`` field, else the modules its scope names.

A name is a dotted module (``inventory.store``), a package (``inventory``) or a path inside
the project (``src/app``, ``inventory/store.py``). It resolves to a project-relative file or
folder, looked up from the project root and from ``src/``. A ``Component`` field naming
something that is not there is a plan error at its line; a scope is prose, so only its
backticked, dotted or slashed words that resolve count, and nothing else is guessed.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

_SPLIT = re.compile(r"\s*(?:[,;\n]|\s(?:and|&)\s)\s*")
_NOTE = re.compile(r"\s*\([^()]*\)")
_NAME = re.compile(r"^[A-Za-z_][\w-]*(?:[./][A-Za-z_][\w-]*)*(?:\.py)?/?$")
_SCOPE_WORD = re.compile(r"`([^`\n]{1,200})`|(?<![\w./])([A-Za-z_]\w*(?:[./][A-Za-z_]\w*)+/?)")
MAX_COMPONENTS = 50


def resolve(name: str, root: Path) -> str | None:
    """The project-relative POSIX path ``name`` stands for, or None when it is not there."""
    name = name.strip().strip("`*'\"").strip()
    if not _NAME.match(name) or ".." in name.split("/"):
        return None
    if "/" in name or name.endswith(".py"):
        candidates = [PurePosixPath(name.rstrip("/"))]
    else:
        parts = name.split(".")
        candidates = [PurePosixPath(*parts).with_suffix(".py"), PurePosixPath(*parts)]
    for base in ("", "src"):
        for candidate in candidates:
            relative = PurePosixPath(base) / candidate if base else candidate
            path = root / relative
            if (path.is_file() and path.suffix == ".py") or path.is_dir():
                return relative.as_posix()
    return None


def names_in(text: str) -> list[str]:
    """The names a ``Component`` field lists (commas, semicolons, lines or ``and``)."""
    plain = _NOTE.sub("", text.replace("`", "").replace("*", ""))
    names = (piece.strip().lstrip("-+ ").strip() for piece in _SPLIT.split(plain))
    return [name for name in names if name and name.lower() not in ("none", "n/a", "-")]


def field_components(text: str, root: Path) -> tuple[tuple[str, ...], list[str]]:
    """What a ``Component`` field names: (resolved paths, names not found in the project)."""
    found: list[str] = []
    unknown: list[str] = []
    for name in names_in(text)[:MAX_COMPONENTS]:
        path = resolve(name, root)
        if path is None:
            unknown.append(name)
        else:
            found.append(path)
    return tuple(dict.fromkeys(found)), unknown


def scope_components(text: str, root: Path) -> tuple[str, ...]:
    """Modules or package paths a scope names in backticks, dotted or slashed, that exist."""
    found: list[str] = []
    for match in _SCOPE_WORD.finditer(text[:20_000]):
        path = resolve(match.group(1) or match.group(2), root)
        if path is not None:
            found.append(path)
    return tuple(dict.fromkeys(found))[:MAX_COMPONENTS]
