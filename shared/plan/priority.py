"""Priority rules of the plan format: tokens, bold marker lines, sections, deferral.

Token rules, in order: a ``P0``..``P3`` token wins; then ``Priority N`` -> P(N-1); then the
first of the words CRITICAL/HIGHEST (P0), HIGH (P1), MEDIUM (P2), LOW (P3).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shared.contract import Priority
from shared.plan.markdown import Heading, Line, clean

_P_TOKEN = re.compile(r"\bP([0-3])\b", re.IGNORECASE)
_PRIORITY_N = re.compile(r"\bpriority\s*[:#=-]?\s*([1-4])\b", re.IGNORECASE)
_WORD = re.compile(r"\b(critical|highest|high|medium|low)\b(?!-level)", re.IGNORECASE)
_WORD_PRIORITY = {
    "critical": Priority.P0,
    "highest": Priority.P0,
    "high": Priority.P1,
    "medium": Priority.P2,
    "low": Priority.P3,
}
_WORDS = "critical|highest|high|medium|low"
_HEADING_PHRASE = re.compile(
    rf"\b({_WORDS})[\s-]+priority\b|\bpriority\s*[:=-]\s*({_WORDS})\b", re.IGNORECASE
)
_MARKER = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*|__)([^*_\n]{1,60}?)(?:\*\*|__)")
_MARKER_INNER = re.compile(
    rf"^\W*(?:P[0-3]|priority\s*[:#=-]?\s*(?:[1-4]|P[0-3]|{_WORDS})|(?:{_WORDS})(?:[\s-]+priority)?)"
    r"(?:$|\s*[:(]|\s+[-\u2013—]+\s|\s*[-\u2013—]+$)",
    re.IGNORECASE,
)
_DEFERRED = re.compile(r"\b(deferred|eliminated)\b", re.IGNORECASE)


def priority_in(text: str) -> Priority | None:
    """Apply the token rules to ``text``; None when it names no priority."""
    token = _P_TOKEN.search(text)
    if token:
        return Priority(f"P{token.group(1)}")
    numbered = _PRIORITY_N.search(text)
    if numbered:
        return Priority(f"P{int(numbered.group(1)) - 1}")
    word = _WORD.search(text)
    return _WORD_PRIORITY[word.group(1).lower()] if word else None


def heading_priority(text: str) -> Priority | None:
    """A priority stated in a seam's own heading: ``(P0)``, ``Priority 1``, ``High priority``.

    Bare words are not enough here: ``SEAM 2: Critical Path Cache`` names no priority.
    """
    if _P_TOKEN.search(text) or _PRIORITY_N.search(text):
        return priority_in(text)
    phrase = _HEADING_PHRASE.search(text)
    if phrase:
        return _WORD_PRIORITY[(phrase.group(1) or phrase.group(2)).lower()]
    return None


def marker_priority(lines: Sequence[Line]) -> tuple[int, Priority] | None:
    """The first bold marker line (``**HIGH PRIORITY** - …``, ``**CRITICAL**``) outside code."""
    for line in lines:
        if line.code:
            continue
        match = _MARKER.match(line.text)
        if match and _MARKER_INNER.match(match.group(1).strip()):
            found = priority_in(match.group(1))
            if found is not None:
                return line.number, found
    return None


def is_deferred_heading(text: str) -> bool:
    """Whether a section heading marks its seams deferred (Deferred, Eliminated)."""
    return _DEFERRED.search(text) is not None


def enclosing_sections(
    headings: Sequence[Heading], position: int, seam_positions: frozenset[int]
) -> list[Heading]:
    """Non-seam headings around the seam at ``headings[position]``, nearest first.

    Enclosing means a lower level. A preceding heading of the seam's own level also groups
    it (flat plans: ``### P0 seams`` then ``### SEAM 1``) when only seams lie between them
    and the heading names a priority or a deferral.
    """
    seam = headings[position]
    found: list[Heading] = []
    level = seam.level
    sibling_open = True
    for index in range(position - 1, -1, -1):
        heading = headings[index]
        if heading.level < level:
            level = heading.level
            sibling_open = False
            if index not in seam_positions:
                found.append(heading)
        elif heading.level == seam.level and sibling_open and index not in seam_positions:
            sibling_open = False
            if priority_in(heading.text) is not None or is_deferred_heading(heading.text):
                found.append(heading)
    return found


def heading_label(heading: Heading) -> str:
    """A section heading as shown in ``Seam.section``."""
    return clean(heading.text)[:1000]
