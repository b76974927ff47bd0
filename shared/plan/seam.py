"""What one seam says: its priority, text fields, output file, dependencies, services, count.

Priority comes, in order, from a ``Priority`` field, the seam heading, a bold marker line,
the nearest enclosing section, and else the default (P2 with a warning; P3 for a deferred
seam, which is never selected anyway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shared.contract import PlanWarning, Priority
from shared.plan.fields import (
    TEXT_FIELDS,
    FieldValue,
    expected_count,
    extract_fields,
    parse_count,
)
from shared.plan.headings import Draft
from shared.plan.priority import marker_priority, priority_in

MAX_TEXT = 200_000
_SERVICE_SPLIT = re.compile(r"\s*(?:[,;/\n]|\s(?:and|&)\s)\s*", re.IGNORECASE)
_SERVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_NOTE = re.compile(r"\s*\([^()]*\)")

PrioritySource = Literal["seam", "section", "default"]


@dataclass(frozen=True)
class SeamReading:
    """The fields of one seam, normalised; raw ``output``/``depends_on`` text still to resolve."""

    priority: Priority
    priority_source: PrioritySource
    scope: str = ""
    impact: str = ""
    strategy: str = ""
    success_criteria: str = ""
    risk: str = ""
    notes: str = ""
    output: str = ""
    output_line: int = 0
    depends_on: str = ""
    services: tuple[str, ...] = ()
    expected_tests: int | None = None
    component: str = ""  # the ``Component`` field's raw text (resolved by ``components``)
    component_line: int = 0


def read_seam(draft: Draft, warnings: list[PlanWarning]) -> SeamReading:
    """Read a seam's fields; problems that do not stop the plan become ``warnings``."""
    lines = draft.lines[1:]
    fields = extract_fields(lines)
    texts = {name: "\n\n".join(v.text for v in fields.get(name, ()) if v.text)[:MAX_TEXT]
             for name in TEXT_FIELDS}
    priority, source = _priority(draft, fields.get("priority", []), warnings)
    output = next((v for v in fields.get("output", ()) if v.text), None)
    component = next((v for v in fields.get("component", ()) if v.text), None)
    expected: int | None = None
    count = expected_count(lines)
    if count is not None:
        expected = parse_count(count[1])
        if expected is None:
            warnings.append(PlanWarning(line=count[0], message=(
                f"seam {draft.id}: expected test count {count[1][:80]!r} is not a number")))
    return SeamReading(
        priority=priority,
        priority_source=source,
        output=output.text if output else "",
        output_line=output.line if output else draft.line,
        depends_on="\n".join(v.text for v in fields.get("depends_on", ())),
        services=_services(draft, fields.get("services", []), warnings),
        expected_tests=expected,
        component=component.text if component else "",
        component_line=component.line if component else 0,
        scope=texts["scope"],
        impact=texts["impact"],
        strategy=texts["strategy"],
        success_criteria=texts["success_criteria"],
        risk=texts["risk"],
        notes=texts["notes"],
    )


def _priority(
    draft: Draft, values: list[FieldValue], warnings: list[PlanWarning]
) -> tuple[Priority, PrioritySource]:
    for value in values:
        found = priority_in(f"priority {value.text}")
        if found is not None:
            return found, "seam"
    priority, source = _fallback_priority(draft)
    unreadable = next((v for v in values if v.text), None)
    if unreadable is not None:
        used = f"{priority.value} from its {source}" if source != "default" else priority.value
        warnings.append(PlanWarning(line=unreadable.line, message=(
            f"seam {draft.id}: priority {unreadable.text[:80]!r} is not P0-P3, 'Priority N' "
            f"or a priority word; using {used}")))
    elif source == "default" and not draft.deferred:
        warnings.append(PlanWarning(line=draft.line,
                                    message=f"seam {draft.id} has no priority; using P2"))
    return priority, source


def _fallback_priority(draft: Draft) -> tuple[Priority, PrioritySource]:
    if draft.heading_priority is not None:
        return draft.heading_priority, "seam"
    marker = marker_priority(draft.lines[1:])
    if marker is not None:
        return marker[1], "seam"
    if draft.section_priority is not None:
        return draft.section_priority, "section"
    return (Priority.P3 if draft.deferred else Priority.P2), "default"


def _services(
    draft: Draft, values: list[FieldValue], warnings: list[PlanWarning]
) -> tuple[str, ...]:
    names: list[str] = []
    for value in values[:1]:
        text = _NOTE.sub("", re.sub(r"[ \t]+", " ", value.text.replace("`", "").replace("*", "")))
        for piece in _SERVICE_SPLIT.split(text):
            name = piece.strip().lstrip("-+ ").strip()
            if not name or name.lower() in ("none", "n/a", "-"):
                continue
            if _SERVICE_NAME.match(name):
                names.append(name)
            else:
                warnings.append(PlanWarning(line=value.line, message=(
                    f"seam {draft.id}: service name {name[:80]!r} is not a valid name")))
    return tuple(dict.fromkeys(names))
