"""Seam headings, ids, seam extent, sections and file-level details of the plan reader."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shared.contract import Priority
from shared.plan.headings import SeamHeading, parse_seam_heading
from shared.plan.markdown import Heading, scan
from shared.plan.reader import read_plan


def _heading(markdown: str) -> Heading:
    doc = scan(markdown)
    assert len(doc.headings) == 1
    return doc.headings[0]


def _plan(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "TEST_PLAN.md"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("markdown", "number", "title"),
    [
        ("### 1. **SEAM**: User API → Database", "1", "User API → Database"),
        ("### SEAM 3: Checkout Flow", "3", "Checkout Flow"),
        ("#### SEAM 1: Indexer → Elasticsearch", "1", "Indexer → Elasticsearch"),
        ("### Seam: Template Store", None, "Template Store"),
        ("## Seam 2 - Stock Change → Search", "2", "Stock Change → Search"),
        ("### **SEAM 4**: `OrderService` → `Kafka`  ", "4", "OrderService → Kafka"),
        ("### SEAM-05: Leading Zero", "5", "Leading Zero"),
        ("### SEAM #6: Hash Number", "6", "Hash Number"),
        ("### 🔗 SEAM 7 — Emoji Lead", "7", "Emoji Lead"),
        ("### SEAM 8 (P0): Tagged", "8", "Tagged"),
        ("### SEAM 9: Trailing Tag (P1)", "9", "Trailing Tag"),
        ("### SEAM 10", "10", "Seam 10"),
        ("### seam 11 Lowercase Without Colon", "11", "Lowercase Without Colon"),
        ("### 12) Seam: Paren Number", "12", "Paren Number"),
    ],
)
def test_seam_heading_forms(markdown: str, number: str | None, title: str) -> None:
    """Every heading form of the plan format yields the seam's number and title."""
    assert parse_seam_heading(_heading(markdown)) == SeamHeading(number, title)


@pytest.mark.parametrize(
    "markdown",
    [
        "## Integration Seams Discovered",
        "## Seam Summary",
        "### Testing the seams",
        "### Seams",
        "### Seam",
        "## Seam-level concerns",
        "### The SEAM: in the middle",
        "# SEAM 1: level one",
        "##### SEAM 1: level five",
        "###SEAM 1: no space after the hashes",
    ],
)
def test_headings_that_are_not_seams(markdown: str) -> None:
    """Headings that mention seams in a longer phrase, or at the wrong level, start no seam."""
    doc = scan(markdown)
    assert all(parse_seam_heading(h) is None for h in doc.headings)


def test_unnumbered_seams_get_slug_ids(tmp_path: Path) -> None:
    """Without numbers, a seam's id is the slug of its title."""
    plan = read_plan(_plan(tmp_path, """
        ### Seam: User API → Database
        ### Seam: Café Crème & Co.
        ### Seam: ***
    """))
    assert [s.id for s in plan.seams] == ["user-api-database", "cafe-creme-co", "seam-3"]


def test_seam_ends_at_the_next_heading_of_its_level_or_above(tmp_path: Path) -> None:
    """Deeper headings stay in the seam; a same-level heading ends it; trailing rules go."""
    plan = read_plan(_plan(tmp_path, """
        ## Seams
        ### SEAM 1: Alpha
        Priority: P0
        #### Details
        text under details
        ##### Deeper still

        ---

        ### Phase 1: P1 work
        **Priority**: P1
        ## SEAM 2: Beta
        Priority: P3
    """))
    first, second = plan.seams
    assert first.body.splitlines() == [
        "### SEAM 1: Alpha", "Priority: P0", "#### Details", "text under details",
        "##### Deeper still",
    ]
    assert first.priority is Priority.P0
    assert second.priority is Priority.P3
    assert second.section == ""


def test_next_seam_heading_ends_a_seam_even_when_deeper(tmp_path: Path) -> None:
    """A seam heading at a deeper level still starts a new seam."""
    plan = read_plan(_plan(tmp_path, """
        ## SEAM 1: Outer
        **Priority**: P1
        ### SEAM 2: Inner
    """))
    assert [s.id for s in plan.seams] == ["1", "2"]
    assert plan.seams[1].priority is Priority.P2
    assert plan.seams[1].priority_source == "default"


def test_headings_inside_fenced_code_are_ignored(tmp_path: Path) -> None:
    """``#`` lines in ``` and ~~~ blocks are code, not headings."""
    plan = read_plan(_plan(tmp_path, """
        ## P1
        ### SEAM 1: Code Heavy
        ```python
        # SEAM 2: comment
        ## P0 heading-looking comment
        ```
        ~~~
        ### SEAM 3: also code
        ~~~
        after the code
    """))
    assert [s.id for s in plan.seams] == ["1"]
    assert plan.seams[0].body.splitlines()[-1] == "after the code"
    assert plan.seams[0].priority is Priority.P1


def test_unclosed_fence_is_a_warning(tmp_path: Path) -> None:
    """A code block never closed swallows the rest of the plan, and the reader says so."""
    plan = read_plan(_plan(tmp_path, """
        ## SEAM 1: Alpha
        **Priority**: P0
        ```python
        ## SEAM 2: swallowed
    """))
    assert [s.id for s in plan.seams] == ["1"]
    assert [(w.line, w.message) for w in plan.warnings] == [
        (3, "code block is never closed; it runs to the end"),
    ]


def test_plan_title_is_the_first_level_one_heading(tmp_path: Path) -> None:
    """``TestPlan.title`` comes from the first ``#`` heading."""
    plan = read_plan(_plan(tmp_path, """
        # **Payments** Test Plan #
        ## SEAM 1: Alpha
        # Appendix
    """))
    assert plan.title == "Payments Test Plan"


def test_crlf_and_bom_keep_line_numbers(tmp_path: Path) -> None:
    """Windows line endings and a UTF-8 BOM do not shift lines."""
    path = tmp_path / "plan.md"
    path.write_bytes(b"\xef\xbb\xbf# Plan\r\n\r\n## SEAM 1: Alpha\r\n**Priority**: P1\r\n")
    plan = read_plan(path)
    assert (plan.seams[0].line, plan.seams[0].priority) == (3, Priority.P1)
    assert plan.title == "Plan"


def test_paths_are_relative_to_the_project_root(tmp_path: Path) -> None:
    """With a project root, the plan path and output files are relative to it."""
    docs = tmp_path / "docs" / "plans"
    docs.mkdir(parents=True)
    plan = read_plan(_plan(docs, """
        ## SEAM 1: Alpha
        **Output File**: ../../tests/test_alpha.py
        ## SEAM 2: Beta
    """), tmp_path)
    assert plan.path == "docs/plans/TEST_PLAN.md"
    assert [s.output_file for s in plan.seams] == [
        "tests/test_alpha.py", "docs/plans/test_beta_integration.py",
    ]


def test_relative_plan_path_defaults_root_to_its_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bare file name is read from the working directory, which becomes the root."""
    _plan(tmp_path, "## SEAM 1: Alpha\n")
    monkeypatch.chdir(tmp_path)
    plan = read_plan(Path("TEST_PLAN.md"))
    assert (plan.path, plan.seams[0].output_file) == ("TEST_PLAN.md", "test_alpha_integration.py")
