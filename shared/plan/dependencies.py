"""Seam dependencies: resolving ``Depends On`` text to seam ids, and finding cycles."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from shared.plan.markdown import slugify

_NONE = frozenset(
    {"", "none", "-", "--", "\u2014", "\u2013", "n/a", "na", "nothing", "no dependencies"}
)
_PIECES = re.compile(r"[,;\n]|\s\|\s")
_AND = re.compile(r"\s+(?:and|&|\+)\s+", re.IGNORECASE)
_NUMBERED = re.compile(r"^(?:seam\s*#?\s*-?\s*|#)?(\d+)(?:$|\s*[:.)(\-\u2013—])", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?=\S)")
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


class UnknownDependency(ValueError):
    """A dependency text that names no seam of the plan."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


def _key(text: str) -> str:
    return " ".join(text.lower().split())


class DependencyIndex:
    """Looks seams up by id, by ``SEAM N``, or by title (case-insensitive)."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        self._ids = {_key(seam_id): seam_id for seam_id in titles}
        self._titles = {_key(title): seam_id for seam_id, title in titles.items()}
        self._slugs = {slugify(title): seam_id for seam_id, title in titles.items()}

    def lookup(self, reference: str, lenient: bool = True) -> str | None:
        """The id ``reference`` names, or None.

        ``lenient`` also accepts text after a seam number (``SEAM 1: Catalog API``); it is
        off for a whole ``Depends On`` value, which may list several seams.
        """
        text = _clean(reference)
        numbered = _NUMBERED.match(text)
        if numbered and (lenient or numbered.end() == len(text)) and (
                str(int(numbered.group(1))) in self._ids):
            return self._ids[str(int(numbered.group(1)))]
        key = _key(text)
        for table in (self._ids, self._titles):
            if key in table:
                return table[key]
        return self._slugs.get(slugify(text)) if slugify(text) else None

    def resolve(self, value: str) -> tuple[str, ...]:
        """Ids named by a ``Depends On`` value; raises UnknownDependency for an unknown name."""
        if _clean(value).lower() in _NONE or _clean(value).lower().startswith("none "):
            return ()
        whole = self.lookup(value, lenient=False)
        if whole is not None:
            return (whole,)
        found: list[str] = []
        for piece in _PIECES.split(value):
            if _clean(piece).lower() in _NONE:
                continue
            single = self.lookup(piece)
            if single is not None:
                found.append(single)
                continue
            parts = [p for p in _AND.split(_clean(piece)) if p]
            ids = [self.lookup(p) for p in parts]
            if len(parts) == 1 or all(i is None for i in ids):
                raise UnknownDependency(_clean(piece))
            for part, seam_id in zip(parts, ids, strict=True):
                if seam_id is None:
                    raise UnknownDependency(part)
                found.append(seam_id)
        return tuple(dict.fromkeys(found))


def _clean(text: str) -> str:
    text = " ".join(text.replace("**", "").replace("`", "").split())
    text = _BULLET.sub("", text)
    text = _TRAILING_NOTE.sub("", text).strip().strip("\"'").rstrip(".;").strip()
    return text


def find_cycle(order: Sequence[str], edges: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A dependency cycle as ``[a, b, a]``, starting at its member earliest in ``order``."""
    position = {seam_id: index for index, seam_id in enumerate(order)}
    state: dict[str, int] = {}
    for start in order:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        state[start] = 1
        while stack:
            node, next_edge = stack[-1]
            targets = edges.get(node, ())
            if next_edge == len(targets):
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            stack[-1] = (node, next_edge + 1)
            target = targets[next_edge]
            if state.get(target) == 1:
                cycle = path[path.index(target):]
                first = min(range(len(cycle)), key=lambda i: position.get(cycle[i], 0))
                rotated = cycle[first:] + cycle[:first]
                return [*rotated, rotated[0]]
            if not state.get(target):
                state[target] = 1
                stack.append((target, 0))
                path.append(target)
    return None
