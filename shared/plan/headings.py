"""Finding seams in a scanned plan: seam headings, their extent, ids and sections."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.contract import Priority
from shared.plan.markdown import Document, Heading, Line, is_blank_or_break, slugify
from shared.plan.priority import (
    enclosing_sections,
    heading_label,
    heading_priority,
    is_deferred_heading,
    priority_in,
)

_SEAM_HEADING = re.compile(
    r"""^(?:[^\w\s\[(]\s*)*?
    (?:[\[(][^\])]*[\])]\s*)?
    (?:(?P<lead>\d+)\s*[.)]\s*)?
    seam\b
    (?:\s*(?:\#|no\.)?\s*-?\s*(?P<num>\d+)\b)?
    (?:\s*[\[(][^\])]*[\])])?
    (?:(?::|\s+-{1,2}\s|\s*[\u2013—])\s*(?P<title>.*)|(?<=\d)\s+(?P<rest>[^\s:].*))?$""",
    re.IGNORECASE | re.VERBOSE,
)
_TITLE_TAG = re.compile(r"\s*(?:[\[(]\s*P[0-3]\b[^\])]*[\])]|[-\u2013—]+\s*P[0-3])\s*$", re.I)
MAX_BODY = 200_000


@dataclass(frozen=True)
class SeamHeading:
    """What a seam heading says: its number (if the plan numbers seams) and its title."""

    number: str | None
    title: str


@dataclass
class Draft:
    """A seam being read: its place in the document and what the heading and sections say."""

    id: str
    title: str
    line: int
    lines: tuple[Line, ...]
    heading_priority: Priority | None
    section: str = ""
    section_priority: Priority | None = None
    deferred: bool = False

    @property
    def body(self) -> str:
        """The seam's raw Markdown (heading included), bounded."""
        return "\n".join(line.text for line in self.lines)[:MAX_BODY]


def parse_seam_heading(heading: Heading) -> SeamHeading | None:
    """The seam a heading of level 2-4 starts, or None for any other heading."""
    if not 2 <= heading.level <= 4:
        return None
    match = _SEAM_HEADING.match(heading.text)
    if match is None:
        return None
    number = match["num"] or match["lead"]
    title = _TITLE_TAG.sub("", (match["title"] or match["rest"] or "").strip()).strip()
    if not title and number is None:
        return None
    if number is not None:
        number = str(int(number))
    return SeamHeading(number, (title or f"Seam {number}")[:1000])


def find_seams(doc: Document) -> list[Draft]:
    """Every seam of the document in plan order, with its lines and section context."""
    parsed = [(i, parse_seam_heading(h)) for i, h in enumerate(doc.headings)]
    seams = [(i, found) for i, found in parsed if found is not None]
    seam_positions = frozenset(i for i, _ in seams)
    drafts: list[Draft] = []
    for position, found in seams:
        heading = doc.headings[position]
        end = len(doc.lines)
        for later in range(position + 1, len(doc.headings)):
            other = doc.headings[later]
            if other.level <= heading.level or later in seam_positions:
                end = other.index
                break
        lines = list(doc.lines[heading.index:end])
        while len(lines) > 1 and is_blank_or_break(lines[-1].text) and not lines[-1].code:
            lines.pop()
        draft = Draft(
            id=found.number or slugify(found.title) or f"seam-{heading.index + 1}",
            title=found.title,
            line=heading.index + 1,
            lines=tuple(lines),
            heading_priority=heading_priority(heading.text),
        )
        _place(draft, enclosing_sections(doc.headings, position, seam_positions))
        drafts.append(draft)
    return drafts


def _place(draft: Draft, sections: list[Heading]) -> None:
    if sections:
        draft.section = heading_label(sections[0])
    draft.deferred = any(is_deferred_heading(s.text) for s in sections)
    for section in sections:
        found = priority_in(section.text)
        if found is not None:
            draft.section_priority = found
            return
