"""The plan corpus: every plan under tests/fixtures/plans reads as its expected.json says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.contract import Seam
from shared.plan.reader import read_plan

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file())
TEXT_FIELDS = ("scope", "impact", "strategy", "success_criteria", "risk", "notes")


def _actual(seam: Seam, expected: dict[str, Any]) -> dict[str, Any]:
    """The seam projected on the keys its expected entry names (absent text fields: "")."""
    values: dict[str, Any] = {
        "id": seam.id,
        "title": seam.title,
        "line": seam.line,
        "priority": seam.label,
        "deferred": seam.deferred,
        "plan_priority": seam.priority.value,
        "priority_source": seam.priority_source,
        "section": seam.section,
        "output_file": seam.output_file,
        "output_source": seam.output_source,
        "expected_tests": seam.expected_tests,
        "depends_on": list(seam.depends_on),
        "services": list(seam.services),
    }
    values.update({name: getattr(seam, name) for name in TEXT_FIELDS})
    return {key: values[key] for key in expected}


def test_corpus_has_at_least_twelve_plans() -> None:
    """The corpus keeps covering many real-world plan styles."""
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_plan_reads_as_expected(case: Path) -> None:
    """Seams, priorities, output files, dependencies and warnings match expected.json."""
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    plan_file = case / expected.get("plan_file", "TEST_PLAN.md")
    root = case / expected["project_root"] if "project_root" in expected else None

    plan = read_plan(plan_file, root)

    assert plan.path == expected["path"]
    assert plan.title == expected["title"]
    assert [s.id for s in plan.seams] == [e["id"] for e in expected["seams"]]
    for seam, entry in zip(plan.seams, expected["seams"], strict=True):
        want = {**dict.fromkeys(TEXT_FIELDS, ""), **entry}
        assert _actual(seam, want) == want
    assert [{"line": w.line, "message": w.message} for w in plan.warnings] == expected["warnings"]


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_seam_body_starts_at_its_heading_and_line(case: Path) -> None:
    """Every seam's body is its own Markdown, beginning with the heading at ``Seam.line``."""
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    plan_file = case / expected.get("plan_file", "TEST_PLAN.md")
    lines = plan_file.read_text(encoding="utf-8").splitlines()

    plan = read_plan(plan_file, case if "project_root" in expected else None)

    for seam in plan.seams:
        assert seam.body.splitlines()[0] == lines[seam.line - 1]
        assert lines[seam.line - 1].lstrip().startswith("#")
