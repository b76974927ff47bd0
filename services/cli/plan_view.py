"""What ``seamq plan`` prints: the parsed plan, the selection and the batches, as JSON or text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.contract import Seam, TestPlan

RESOLVED_BY = {
    "field": "from its output file field",
    "body": "from the plan's file list",
    "match": "matched existing file",
    "convention": "by convention",
}
TEXT_FIELDS = ("scope", "impact", "strategy", "success_criteria", "risk", "notes")
_TITLE_WIDTH = 48


def plan_json(
    plan: TestPlan, selected: Sequence[Seam], batches: Sequence[Sequence[Seam]]
) -> dict[str, Any]:
    """The ``seamq plan --format json`` document (docs/architecture.md), with every field
    the reader parsed and why each seam's output file was chosen."""
    chosen = {s.id for s in selected}
    return {
        "plan": plan.path,
        "title": plan.title,
        "seams": [
            {
                "id": seam.id,
                "title": seam.title,
                "priority": seam.label,
                "selected": seam.id in chosen,
                "line": seam.line,
                "output_file": seam.output_file,
                "output_source": seam.output_source,
                "output_reason": seam.output_reason,
                "expected_tests": seam.expected_tests,
                "depends_on": list(seam.depends_on),
                "services": list(seam.services),
                "priority_source": seam.priority_source,
                "section": seam.section,
                **{name: getattr(seam, name) for name in TEXT_FIELDS},
            }
            for seam in plan.seams
        ],
        "batches": [[seam.id for seam in batch] for batch in batches],
        "warnings": [{"line": w.line, "message": w.message} for w in plan.warnings],
    }


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def plan_text(
    plan: TestPlan, selected: Sequence[Seam], batches: Sequence[Sequence[Seam]]
) -> str:
    """A readable listing: one row per seam, then the batches and the warnings."""
    chosen = {s.id for s in selected}
    heading = f"{plan.path}" + (f" — {plan.title}" if plan.title else "")
    out = [heading, f"{len(plan.seams)} seams, {len(chosen)} selected, {len(batches)} batches", ""]
    rows = [("", "ID", "PRIORITY", "TITLE", "OUTPUT FILE")]
    for seam in plan.seams:
        output = f"{seam.output_file} ({seam.output_reason or RESOLVED_BY[seam.output_source]})"
        extra = []
        if seam.depends_on:
            extra.append("after " + ", ".join(seam.depends_on))
        if seam.expected_tests is not None:
            extra.append(f"{seam.expected_tests} tests expected")
        if seam.services:
            extra.append("services " + ", ".join(seam.services))
        if extra:
            output += " [" + "; ".join(extra) + "]"
        rows.append(("*" if seam.id in chosen else " ", seam.id, seam.label,
                     _short(seam.title, _TITLE_WIDTH), output))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        out.append(("  ".join(cells) + "  " + row[4]).rstrip())
    out += ["", "Batches:" if batches else "Batches: none (no seam selected)"]
    for number, batch in enumerate(batches, 1):
        out.append(f"  {number}. " + ", ".join(f"{s.id} ({s.label})" for s in batch))
    if plan.warnings:
        out += ["", "Warnings:"]
        out += [f"  {plan.path}:{w.line}: {w.message}" for w in plan.warnings]
    return "\n".join(out) + "\n"
