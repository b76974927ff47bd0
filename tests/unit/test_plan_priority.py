"""Priority rules: tokens, fields, marker lines, headings, sections and deferral."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shared.contract import Priority, TestPlan
from shared.plan.markdown import scan
from shared.plan.priority import heading_priority, marker_priority, priority_in
from shared.plan.reader import read_plan


def _read(tmp_path: Path, text: str) -> TestPlan:
    path = tmp_path / "TEST_PLAN.md"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return read_plan(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P1 (Critical)", Priority.P1),
        ("**P0** (Critical path)", Priority.P0),
        ("p3", Priority.P3),
        ("Priority 2 - High", Priority.P1),
        ("priority: 1", Priority.P0),
        ("Priority #4", Priority.P3),
        ("CRITICAL", Priority.P0),
        ("Highest", Priority.P0),
        ("High (but low effort)", Priority.P1),
        ("medium", Priority.P2),
        ("Low", Priority.P3),
        ("High-level design", None),
        ("HTTP2 and P2P transfers", None),
        ("Priority 7", None),
        ("TBD", None),
    ],
)
def test_token_rules(text: str, expected: Priority | None) -> None:
    """P tokens win, then ``Priority N``, then the first priority word."""
    assert priority_in(text) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("**HIGH PRIORITY** - the storefront reads this", Priority.P1),
        ("**CRITICAL**", Priority.P0),
        ("- **MEDIUM PRIORITY** (ops convenience)", Priority.P2),
        ("**P0 - Critical**", Priority.P0),
        ("**Priority: P2**", Priority.P2),
        ("__Low__", Priority.P3),
        ("**Critical path:** not decided", None),
        ("**Critical Integration Point**", None),
        ("**High-level flow**", None),
        ("text with **HIGH PRIORITY** in the middle", None),
    ],
)
def test_bold_marker_lines(line: str, expected: Priority | None) -> None:
    """A bold priority phrase at the start of a line marks the seam's priority."""
    found = marker_priority(scan(line).lines)
    assert (found[1] if found else None) is expected


def test_marker_inside_code_is_ignored() -> None:
    """A marker-looking line inside a code block is code."""
    assert marker_priority(scan("```\n**CRITICAL**\n```\n").lines) is None


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("SEAM 1 (P0): Payments", Priority.P0),
        ("SEAM 2: Refunds — High priority", Priority.P1),
        ("SEAM 3: Critical Path Cache", None),
        ("SEAM 4: Low Stock Alerts", None),
    ],
)
def test_seam_heading_priority_needs_an_explicit_phrase(
    heading: str, expected: Priority | None
) -> None:
    """Words in a seam title are not priorities; ``(P0)`` or ``High priority`` are."""
    assert heading_priority(heading) is expected


def test_field_beats_heading_marker_and_section(tmp_path: Path) -> None:
    """The seam's own Priority field wins over every other source."""
    plan = _read(tmp_path, """
        ## P3 seams
        ### SEAM 1 (P2): Alpha
        **CRITICAL**
        - **Priority**: P1
    """)
    assert (plan.seams[0].priority, plan.seams[0].priority_source) == (Priority.P1, "seam")


def test_marker_beats_section(tmp_path: Path) -> None:
    """A bold marker line in the seam wins over the section heading."""
    plan = _read(tmp_path, """
        ## Low Priority Seams
        ### SEAM 1: Alpha
        **HIGH PRIORITY** - hot path
    """)
    assert (plan.seams[0].priority, plan.seams[0].priority_source) == (Priority.P1, "seam")


def test_nearest_enclosing_section_with_a_priority_wins(tmp_path: Path) -> None:
    """Sections are searched from the nearest outwards; the first with a priority wins."""
    plan = _read(tmp_path, """
        # Plan — high priority work
        ## P2 seams
        ### Payments
        #### SEAM 1: Alpha
        ## Other seams
        ### SEAM 2: Beta
    """)
    assert [(s.priority, s.priority_source, s.section) for s in plan.seams] == [
        (Priority.P2, "section", "Payments"),
        (Priority.P1, "section", "Other seams"),
    ]


def test_text_after_the_seams_does_not_leak_into_them(tmp_path: Path) -> None:
    """Phases, checklists and tables after the last seam carry their own P0 words."""
    plan = _read(tmp_path, """
        ## Seams
        ### SEAM 1: Alpha
        Scope: the alpha service
        ## Phases
        **CRITICAL**
        - **Priority**: P0
        | SEAM 1 | P0 |
    """)
    assert plan.seams[0].priority is Priority.P2
    assert [w.message for w in plan.warnings] == ["seam 1 has no priority; using P2"]


@pytest.mark.parametrize("title", ["Deferred Seams", "Eliminated (out of scope)",
                                   "Seams we deferred", "Deferred / eliminated"])
def test_deferred_and_eliminated_sections(tmp_path: Path, title: str) -> None:
    """Seams under Deferred or Eliminated sections are deferred, keeping any priority."""
    plan = _read(tmp_path, f"""
        ## {title}
        ### SEAM 1: Alpha
        **Priority**: P1
        ### SEAM 2: Beta
    """)
    assert [(s.deferred, s.priority, s.label) for s in plan.seams] == [
        (True, Priority.P1, "deferred"), (True, Priority.P3, "deferred"),
    ]
    assert plan.warnings == ()


def test_deferral_applies_through_nested_sections(tmp_path: Path) -> None:
    """A P0 section inside a Deferred section still defers its seams."""
    plan = _read(tmp_path, """
        ## Deferred
        ### P0
        #### SEAM 1: Alpha
    """)
    seam = plan.seams[0]
    assert (seam.deferred, seam.priority, seam.priority_source) == (True, Priority.P0, "section")


def test_flat_priority_heading_groups_following_seams(tmp_path: Path) -> None:
    """``### P1 seams`` followed by ``### SEAM`` headings of the same level groups them."""
    plan = _read(tmp_path, """
        ### Overview
        ### SEAM 1: Alpha
        ### P1 seams
        ### SEAM 2: Beta
        ### SEAM 3: Gamma
        ### Notes
        ### SEAM 4: Delta
    """)
    assert [(s.priority, s.section) for s in plan.seams] == [
        (Priority.P2, ""), (Priority.P1, "P1 seams"), (Priority.P1, "P1 seams"),
        (Priority.P2, ""),
    ]


def test_unreadable_priority_field_falls_back_with_one_warning(tmp_path: Path) -> None:
    """``Priority: TBD`` warns once and uses the section's priority."""
    plan = _read(tmp_path, """
        ## P1
        ### SEAM 1: Alpha
        **Priority**: TBD
    """)
    assert (plan.seams[0].priority, plan.seams[0].priority_source) == (Priority.P1, "section")
    assert [(w.line, w.message) for w in plan.warnings] == [
        (3, "seam 1: priority 'TBD' is not P0-P3, 'Priority N' or a priority word; "
            "using P1 from its section"),
    ]
