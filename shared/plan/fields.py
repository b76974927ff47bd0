"""Labelled fields of a seam: ``- **Integration Scope**: …`` with multi-line continuations.

A field starts at a bold label (``**Label**:``, ``**Label:**``, or a known ``**Label**`` alone
on its line), a known plain label at line start (``Business Value: …``) or a known label in
the first cell of a table row. It continues over the following non-label lines, over
indented lines after a blank line, and over nested bullets; it ends at the next label, a
heading, or a blank line followed by unindented text. Fenced code is never a label.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.plan.markdown import Line, indent_of, is_heading

SYNONYMS: dict[str, tuple[str, ...]] = {
    "scope": ("integration scope", "components", "scope", "components involved"),
    "impact": ("business impact", "business value", "impact"),
    "strategy": ("test strategy", "testing strategy", "scenarios", "test scenarios", "strategy"),
    "success_criteria": ("success criteria", "validation", "acceptance criteria"),
    "risk": ("integration risk", "risk", "risks"),
    "notes": ("implementation notes", "notes"),
    "output": ("output file", "file", "test file", "output", "test file path", "output path"),
    "depends_on": ("depends on", "dependencies", "dependency", "depends"),
    "services": ("services", "required services"),
    "priority": ("priority", "priority level", "seam priority"),
    "expected": ("expected test count", "expected tests", "expected number of tests"),
    "component": ("component", "component under test", "code under test", "modules under test"),
}
TEXT_FIELDS = ("scope", "impact", "strategy", "success_criteria", "risk", "notes")
_CANONICAL = {label: canon for canon, labels in SYNONYMS.items() for label in labels}

_LEAD = r"^(?P<indent>[ \t]*)(?P<bullet>[-*+][ \t]+|\d+[.)][ \t]+)?"
_BULLET = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")
_BOLD_LABEL = re.compile(
    _LEAD + r"(?:\*\*|__)(?P<label>[^*_:\n]{1,60}?)(?:\s*:\s*(?:\*\*|__)|(?:\*\*|__)\s*:)"
    r"\s*(?P<value>.*)$"
)
_BOLD_ALONE = re.compile(_LEAD + r"(?:\*\*|__)(?P<label>[^*_:\n]{1,60}?)(?:\*\*|__)\s*$")
_PLAIN_LABEL = re.compile(
    _LEAD + r"(?P<label>[A-Za-z][A-Za-z ]{0,40}?)[ \t]*:(?:\s+(?P<value>.*))?$"
)
_TABLE_ROW = re.compile(
    r"^(?P<indent>\s*)\|\s*(?:\*\*)?(?P<label>[A-Za-z][A-Za-z ]{0,40}?)(?:\*\*)?\s*\|(?P<value>.*)$"
)
_EXPECTED = re.compile(
    r"expected\s+(?:test\s+count|number\s+of\s+tests|tests)\W{0,4}?\s*[:=|]\s*(?:\*\*)?\s*"
    r"(?P<value>[^|\n]*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FieldValue:
    """One occurrence of a field: the line of its label and its text."""

    line: int
    text: str


@dataclass(frozen=True)
class _Label:
    canon: str | None
    indent: int
    value: str
    bullet: bool
    single_line: bool = False


@dataclass
class _Open:
    canon: str | None
    line: int
    indent: int
    bullet: bool
    parts: list[str] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        return any(part.strip() for part in self.parts)

    def is_child(self, text: str) -> bool:
        """Whether a line is nested under this field's label (deeper, or a list under it)."""
        indent = indent_of(text)
        return indent > self.indent or (
            not self.bullet and indent >= self.indent and _BULLET.match(text) is not None
        )


def canonical(label: str) -> str | None:
    """The canonical field name for a label, or None for a label the plan format ignores."""
    return _CANONICAL.get(" ".join(label.lower().split()))


def _label(text: str) -> _Label | None:
    bold = _BOLD_LABEL.match(text)
    if bold:
        return _Label(canonical(bold["label"]), indent_of(bold["indent"]), bold["value"],
                      bold["bullet"] is not None)
    for pattern in (_BOLD_ALONE, _PLAIN_LABEL, _TABLE_ROW):
        match = pattern.match(text)
        if match and canonical(match["label"]) is not None:
            value, single = (match.groupdict().get("value") or "").strip(), pattern is _TABLE_ROW
            if single:
                value = value.split("|", 1)[0].strip()
            bullet = not single and match["bullet"] is not None
            return _Label(canonical(match["label"]), indent_of(match["indent"]), value, bullet,
                          single)
    return None


def _close(current: _Open | None, fields: dict[str, list[FieldValue]]) -> None:
    if current is None or current.canon is None:
        return
    first, rest = current.parts[0].strip(), textwrap.dedent("\n".join(current.parts[1:]))
    text = f"{first}\n{rest}".strip() if rest.strip() else first
    fields.setdefault(current.canon, []).append(FieldValue(current.line, text))


def extract_fields(lines: Sequence[Line]) -> dict[str, list[FieldValue]]:
    """Every recognised field of a seam (the heading line excluded), in order of appearance."""
    fields: dict[str, list[FieldValue]] = {}
    current: _Open | None = None
    blank = False
    previous_code = False
    for line in lines:
        text = line.text
        in_block, previous_code = line.code and previous_code, line.code
        if in_block:
            if current is not None:
                current.parts.append(text)
            continue
        if not line.code and is_heading(text):
            _close(current, fields)
            current, blank = None, False
            continue
        if not text.strip():
            blank = True
            if current is not None:
                current.parts.append("")
            continue
        found = None if line.code else _label(text)
        nested = current is not None and current.canon in TEXT_FIELDS and current.is_child(text)
        if found is not None and not (nested and found.canon in (*TEXT_FIELDS, None)):
            _close(current, fields)
            current = _Open(found.canon, line.number, found.indent, found.bullet, [found.value])
            if found.single_line:
                _close(current, fields)
                current = None
        elif current is not None:
            if blank and current.has_content and not current.is_child(text):
                _close(current, fields)
                current = None
            else:
                current.parts.append(text)
        blank = False
    _close(current, fields)
    return fields


def expected_count(lines: Sequence[Line]) -> tuple[int, str] | None:
    """The first ``Expected test count: N`` outside code: (line, raw value text)."""
    for line in lines:
        if not line.code:
            match = _EXPECTED.search(line.text)
            if match:
                return line.number, match["value"].replace("*", "").replace("`", "").strip()
    return None


def parse_count(value: str) -> int | None:
    """``5``, ``~5``, ``5 tests`` -> 5; ranges (``4-6``) and words -> None."""
    match = re.match(r"^~?\s*(\d{1,6})\b(?!\s*(?:-|\u2013|to|or)\s*\d)", value)
    return int(match.group(1)) if match else None
