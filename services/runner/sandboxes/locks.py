"""Lock files as pinned requirement lines: ``uv.lock``, ``poetry.lock`` and ``pylock.toml``
(PEP 751, also ``pylock.<name>.toml``), read with tomllib.

A lock is complete, so each package in it becomes ``name==version`` with the environment
marker the lock gives it, and pip installs the lines without resolving again
(``--no-deps``). Left out: the project itself (uv's editable and virtual sources, a pylock
directory at ``.`` or editable), and in a poetry lock every group but ``main`` and the
packages only extras want. A package the lock takes from elsewhere than an index (git, a
path, a URL) is an error naming it: the environment is built from wheels on the host's
index. A mistake is one line naming the file and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import PurePosixPath

from shared.errors import DependencyError

# Looked for at the project's root in this order when no dependency file is named.
LOCK_FILES = ("uv.lock", "poetry.lock", "pylock.toml")

NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")  # PEP 508
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+!_-]*")  # PEP 440, loosely
Table = dict[str, object]
# Incoming dependency edges of a package name: (the version an edge names or "", its marker).
Edges = dict[str, list[tuple[str, str]]]


def is_lock(name: str) -> bool:
    """Whether the dependency file ``name`` is a lock file."""
    base = PurePosixPath(name).name
    return base in ("uv.lock", "poetry.lock") or (base.startswith("pylock.")
                                                  and base.endswith(".toml"))


def locked_requirements(name: str, data: bytes) -> list[str]:
    """The pinned requirement lines of the lock file ``name`` (as the project names it),
    whose bytes are ``data``."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise DependencyError(f"environment: cannot read {name}: {e}") from e
    except tomllib.TOMLDecodeError as e:
        raise DependencyError(f"environment: {name} is not valid TOML: {e}") from e
    lock = _Lock(name, doc)
    base = PurePosixPath(name).name
    if base == "uv.lock":
        return _uv(lock)
    if base == "poetry.lock":
        return _poetry(lock)
    return _pylock(lock)


class _Lock:
    """One lock file's document, read strictly: every mistake is one line naming it."""

    def __init__(self, name: str, doc: Table) -> None:
        self.name = name
        self.doc = doc

    def error(self, problem: str) -> DependencyError:
        return DependencyError(f"environment: {self.name}: {problem}")

    def tables(self, value: object, what: str) -> list[Table]:
        """``value`` as an array of tables (None: an empty one)."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(f"{what} is not an array of tables")
        return value

    def text(self, table: Table, key: str, where: str, *, required: bool = True) -> str:
        value = table.get(key)
        if value is None and not required:
            return ""
        if value is None:
            raise self.error(f"{where} has no {key}")
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{where}: {key} is not a non-empty string")
        return value

    def strings(self, table: Table, key: str, where: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f"{where}: {key} is not an array of strings")
        return value

    def packages(self, key: str) -> list[tuple[str, Table]]:
        """``(name, table)`` of every ``[[key]]`` entry."""
        found = []
        for index, table in enumerate(self.tables(self.doc.get(key), f"[[{key}]]"), 1):
            found.append((self.text(table, "name", f"[[{key}]] entry {index}"), table))
        return found

    def version(self, key: str, majors: tuple[str, ...], table: Table | None = None) -> None:
        """The lock format's own version must have a major version seamq reads."""
        value = (self.doc if table is None else table).get(key)
        if value is None:
            raise self.error(f"no {key}: not a lock file seamq reads")
        if str(value).split(".")[0] not in majors:
            known = " or ".join(f"{m}.x" for m in majors)
            raise self.error(f"{key} {value} is not one seamq reads ({known})")

    def pin(self, name: str, version: str, marker: str) -> str:
        """``name==version ; marker``, refused when a part could be read by pip as more
        than a pin (a second line, a comment, an option)."""
        if not NAME.fullmatch(name):
            raise self.error(f"package {name!r}: not a package name")
        if not VERSION.fullmatch(version):
            raise self.error(f"package {name!r}: version {version!r} is not a version")
        if any(c in marker for c in "\n\r#\\"):
            raise self.error(f"package {name!r}: marker {marker!r} is not one marker")
        return f"{name}=={version}" + (f" ; {marker}" if marker else "")




def _any_of(markers: Iterable[str]) -> str:
    """The markers OR-ed ('' for none), each once."""
    unique = list(dict.fromkeys(markers))
    if len(unique) <= 1:
        return "".join(unique)
    return " or ".join(f"({m})" for m in unique)


def _all_of(*markers: str) -> str:
    present = list(dict.fromkeys(m for m in markers if m))
    if len(present) <= 1:
        return "".join(present)
    return " and ".join(f"({m})" for m in present)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _uv(lock: _Lock) -> list[str]:
    lock.version("version", ("1",))
    packages = lock.packages("package")
    edges = _uv_edges(lock, packages)
    lines = []
    for name, table in packages:
        where = f"package {name!r}"
        source = table.get("source")
        if not isinstance(source, dict) or not source:
            raise lock.error(f"{where} has no source table")
        if "editable" in source or "virtual" in source:
            continue  # the project itself, or a member of its workspace
        if "registry" not in source:
            kind = next(iter(source))
            raise lock.error(f"{where} comes from {kind} {source[kind]}, not a package index")
        version = lock.text(table, "version", where)
        forks = _any_of(lock.strings(table, "resolution-markers", where))
        marker = _all_of(forks, _edge_marker(edges, name, version))
        lines.append(lock.pin(name, version, marker))
    return lines


def _uv_edges(lock: _Lock, packages: list[tuple[str, Table]]) -> Edges:
    """Every dependency edge of the lock, by the name it points to: a package's own
    dependencies, its extras' and its dependency groups'."""
    edges: Edges = {}
    for name, table in packages:
        where = f"package {name!r}"
        lists: list[object] = [table.get("dependencies")]
        for key in ("optional-dependencies", "dev-dependencies"):
            groups = table.get(key, {})
            if not isinstance(groups, dict):
                raise lock.error(f"{where}: {key} is not a table")
            lists += groups.values()
        for deps in lists:
            for dep in lock.tables(deps, f"{where}: a dependency list"):
                target = lock.text(dep, "name", f"{where}: a dependency")
                edges.setdefault(_normal(target), []).append(
                    (lock.text(dep, "version", where, required=False),
                     lock.text(dep, "marker", where, required=False)))
    return edges


def _edge_marker(edges: Edges, name: str, version: str) -> str:
    """When every edge into this version of ``name`` carries a marker, those OR-ed
    (colorama only where ``sys_platform == 'win32'``); else '' (always wanted)."""
    into = [marker for wanted, marker in edges.get(_normal(name), [])
            if wanted in ("", version)]
    if not into or not all(into):
        return ""
    return _any_of(into)


def _poetry(lock: _Lock) -> list[str]:
    metadata = lock.doc.get("metadata")
    if not isinstance(metadata, dict):
        raise lock.error("no [metadata] table: not a lock file seamq reads")
    lock.version("lock-version", ("1", "2"), metadata)
    lines = []
    for name, table in lock.packages("package"):
        where = f"package {name!r}"
        version = lock.text(table, "version", where)
        if table.get("optional") is True:
            continue  # wanted by an extra only; a lock does not say which extras to take
        source = table.get("source", {})
        if not isinstance(source, dict):
            raise lock.error(f"{where}: source is not a table")
        kind = source.get("type", "legacy")  # none: PyPI; legacy: another index
        if kind not in ("legacy", "pypi"):
            raise lock.error(f"{where} comes from a {kind} source, not a package index")
        if not _poetry_main(lock, table, where):
            continue
        markers = table.get("markers", "")
        if isinstance(markers, dict):
            markers = markers.get("main", "")  # poetry 2: one marker per group
        if not isinstance(markers, str):
            raise lock.error(f"{where}: markers is not a string or a table of strings")
        lines.append(lock.pin(name, version, markers))
    return lines


def _poetry_main(lock: _Lock, table: Table, where: str) -> bool:
    """Whether the package belongs to the main group: poetry 2's ``groups``, poetry 1's
    ``category``; a lock with neither (poetry 1.5-1.8) holds every group as one."""
    if "groups" in table:
        return "main" in lock.strings(table, "groups", where)
    if "category" in table:
        return lock.text(table, "category", where) == "main"
    return True


def _pylock(lock: _Lock) -> list[str]:
    lock.version("lock-version", ("1",))
    lines = []
    for name, table in lock.packages("packages"):
        where = f"package {name!r}"
        directory = table.get("directory")
        if isinstance(directory, dict) and (directory.get("path") in (".", "./")
                                            or directory.get("editable") is True):
            continue  # the project itself, or a project of its own being edited
        for kind in ("vcs", "directory", "archive"):
            if kind in table:
                raise lock.error(f"{where} comes from a {kind}, not a package index")
        version = lock.text(table, "version", where)
        marker = lock.text(table, "marker", where, required=False)
        lines.append(lock.pin(name, version, marker))
    return lines
