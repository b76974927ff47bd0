"""Line-level Markdown scanning for plans: fenced code blocks, ATX headings, slugs.

The plan reader never needs a full Markdown parser: it needs to know, for every line,
whether it sits inside a fenced code block (a ``# comment`` in a Python block is not a
heading) and where the headings are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_CLOSING_HASHES = re.compile(r"(?:^| )#+$")
MAX_HEADING = 2_000
_EMPHASIS = re.compile(r"\*\*|__|`")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")


@dataclass(frozen=True)
class Line:
    """One source line: its 1-based number, its text, and whether it is fenced code."""

    number: int
    text: str
    code: bool


@dataclass(frozen=True)
class Heading:
    """An ATX heading outside code: its index in the line list, level and cleaned text."""

    index: int
    level: int
    text: str


@dataclass(frozen=True)
class Document:
    """A scanned plan: its lines, its headings, and the line of a fence never closed."""

    lines: tuple[Line, ...]
    headings: tuple[Heading, ...]
    unclosed_fence: int | None


def scan(text: str) -> Document:
    """Split ``text`` into lines, mark fenced code, and collect headings outside code."""
    raw_lines = _NEWLINE.split(text)
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    lines: list[Line] = []
    headings: list[Heading] = []
    fence = ""
    fence_line = 0
    for index, raw in enumerate(raw_lines):
        number = index + 1
        match = _FENCE.match(raw)
        if fence:
            lines.append(Line(number, raw, True))
            if (match and match.group(1)[0] == fence[0]
                    and len(match.group(1)) >= len(fence) and not match.group(2).strip()):
                fence = ""
            continue
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence, fence_line = match.group(1), number
            lines.append(Line(number, raw, True))
            continue
        heading = _HEADING.match(raw[:MAX_HEADING].rstrip())
        if heading:
            headings.append(Heading(index, len(heading.group(1)), clean(heading.group(2) or "")))
        lines.append(Line(number, raw, False))
    return Document(tuple(lines), tuple(headings), fence_line if fence else None)


def clean(text: str) -> str:
    """Heading or label text without closing hashes, bold/code markers or extra spaces."""
    text = _CLOSING_HASHES.sub("", " ".join(text.split()))
    return " ".join(_EMPHASIS.sub("", text).split())


def is_heading(text: str) -> bool:
    """Whether a (non-code) line is an ATX heading."""
    return _HEADING.match(text[:MAX_HEADING].rstrip()) is not None


def is_blank_or_break(text: str) -> bool:
    """Whether a line is blank or a thematic break (``---``), i.e. a separator."""
    return not text.strip() or _THEMATIC_BREAK.match(text) is not None


def indent_of(text: str) -> int:
    """Width of a line's leading whitespace (a tab counts as four columns)."""
    stripped = text.lstrip(" \t")
    return len(text[: len(text) - len(stripped)].replace("\t", "    "))


def slugify(text: str, sep: str = "-", limit: int = 80) -> str:
    """Lowercase ASCII words of ``text`` joined by ``sep``: ``User API → DB`` -> ``user-api-db``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", sep, ascii_text.lower()).strip(sep)
    return slug[:limit].rstrip(sep)
