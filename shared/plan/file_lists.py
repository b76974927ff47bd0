"""Plan-level file lists: a "Test Organization" block that pairs test files with seams.

Real plans often end with a section such as ``## Test Organization`` that lists each file
and the seams it holds (``- `test_cart.py` — Seams 1, 2``, a table row, or a file tree in a
code block with ``# SEAM 3`` comments). A line pairs a file with a seam by number
(``Seam 2``, ``Seams 2-4``, ``SEAM #3``) or by the seam's full title.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.plan.markdown import Document, Line

_LIST_HEADING = re.compile(
    r"\b(?:test|file|output)s?\s+(?:organi[sz]ation|structure|layout|files|plan)\b"
    r"|\bfile\s+(?:organi[sz]ation|layout|structure)\b|\btest\s+files\b",
    re.IGNORECASE,
)
_FILE = re.compile(r"(?<![\w/.\\-])((?:[\w.-]+/)*test_[\w-]*\.py)(?![\w/])")
_SEAM_REF = re.compile(
    r"\bseams?\s*#?\s*(\d+(?:\s*(?:,|and|&|/|-|\u2013|to)\s*#?\s*\d+)*)", re.IGNORECASE
)
_NUMBER = re.compile(r"\d+")
_RANGE = re.compile(r"(\d+)\s*(?:-|\u2013|to)\s*#?\s*(\d+)")
MIN_TITLE = 8


@dataclass(frozen=True)
class Listed:
    """A file a plan-level list gives to a seam, and the line that says so."""

    path: str
    line: int


def _list_lines(doc: Document) -> list[Line]:
    """Lines under headings that introduce a file list, up to the next heading as high."""
    out: list[Line] = []
    for position, heading in enumerate(doc.headings):
        if not _LIST_HEADING.search(heading.text) or "seam" in heading.text.lower():
            continue
        end = len(doc.lines)
        for later in doc.headings[position + 1:]:
            if later.level <= heading.level:
                end = later.index
                break
        out += doc.lines[heading.index + 1:end]
    return out


def _numbers(text: str) -> list[str]:
    found: list[str] = []
    for match in _SEAM_REF.finditer(text):
        refs = match.group(1)
        for low, high in _RANGE.findall(refs):
            if int(high) - int(low) <= 100:
                found += [str(n) for n in range(int(low), int(high) + 1)]
        found += [str(int(n)) for n in _NUMBER.findall(_RANGE.sub(" ", refs))]
    return found


def listed_files(doc: Document, titles: Mapping[str, str]) -> dict[str, Listed]:
    """Seam id -> the file a plan-level list pairs it with (the first pairing wins)."""
    by_title = {t.lower(): sid for sid, t in titles.items() if len(t) >= MIN_TITLE}
    found: dict[str, Listed] = {}
    for line in _list_lines(doc):
        files = _FILE.findall(line.text.replace("\\", "/"))
        if len(files) != 1:
            continue
        lowered = line.text.lower()
        seams = [n for n in _numbers(line.text) if n in titles]
        seams += [sid for title, sid in by_title.items() if title in lowered]
        for seam_id in seams:
            found.setdefault(seam_id, Listed(files[0], line.number))
    return found


def named_files(lines: Sequence[Line]) -> set[str]:
    """Every ``test_*.py`` file name that some line mentions (for sibling plans)."""
    names: set[str] = set()
    for line in lines:
        names.update(path.rsplit("/", 1)[-1] for path in _FILE.findall(line.text))
    return names
