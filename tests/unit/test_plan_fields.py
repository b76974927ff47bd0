"""Labelled seam fields: label forms, synonyms, continuations, counts, services, deps."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shared.contract import TestPlan
from shared.plan.fields import (
    SYNONYMS,
    canonical,
    expected_count,
    extract_fields,
    parse_count,
)
from shared.plan.markdown import scan
from shared.plan.reader import read_plan


def _fields(markdown: str) -> dict[str, list[str]]:
    found = extract_fields(scan(textwrap.dedent(markdown).lstrip("\n")).lines)
    return {name: [v.text for v in values] for name, values in found.items()}


def _read(tmp_path: Path, text: str) -> TestPlan:
    path = tmp_path / "TEST_PLAN.md"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return read_plan(path)


@pytest.mark.parametrize(
    "line",
    [
        "**Integration Scope**: API and DB",
        "**Integration Scope:** API and DB",
        "- **Integration Scope**: API and DB",
        "  * __Integration Scope__: API and DB",
        "1. **INTEGRATION SCOPE** : API and DB",
        "Integration Scope: API and DB",
        "- Integration Scope: API and DB",
        "| Integration Scope | API and DB |",
        "| **Integration Scope** | API and DB | extra |",
    ],
)
def test_label_forms(line: str) -> None:
    """Bold labels, plain known labels and table rows all start a field."""
    assert _fields(line) == {"scope": ["API and DB"]}


@pytest.mark.parametrize(
    ("label", "canon"),
    [(label, canon) for canon, labels in SYNONYMS.items() for label in labels],
)
def test_every_synonym_maps_to_its_canonical_field(label: str, canon: str) -> None:
    """Canonical fields and their synonyms, case-insensitively."""
    assert canonical(label.upper()) == canon


def test_unknown_plain_labels_are_text_and_unknown_bold_labels_are_ignored() -> None:
    """``Note: …`` is prose; ``**Owner**: …`` ends the previous field and is dropped."""
    assert _fields("""
        **Scope**: API
        Note: continues the scope
        **Owner**: team A
        more owner text
    """) == {"scope": ["API\nNote: continues the scope"]}


def test_bold_label_alone_on_its_line_takes_the_lines_below() -> None:
    """``**Test Strategy**`` with the list on the next lines."""
    assert _fields("""
        **Test Strategy**

        - create
        - delete
    """) == {"strategy": ["- create\n- delete"]}


def test_continuations_nested_bullets_and_paragraph_breaks() -> None:
    """Following lines and nested bullets belong to a label; a new paragraph does not."""
    assert _fields("""
        - **Test Strategy**:
          - **Happy path**: create a user
          - **Validation**: nested, so part of the strategy
        - **Success Criteria**: no partial writes,
          even under load

            indented after a blank line, still criteria

        A free paragraph.
    """) == {
        "strategy": ["- **Happy path**: create a user\n"
                     "- **Validation**: nested, so part of the strategy"],
        "success_criteria": ["no partial writes,\neven under load\n\n"
                             "  indented after a blank line, still criteria"],
    }


def test_list_under_a_paragraph_label_is_nested() -> None:
    """Bullets at column 0 under ``**Label**:`` belong to it, even bold ones."""
    assert _fields("""
        **Scenarios**:
        - **Happy path**: one
        - **Risk**: two

        **Integration Risk**: stale cache
    """) == {
        "strategy": ["- **Happy path**: one\n- **Risk**: two"],
        "risk": ["stale cache"],
    }


def test_structural_labels_start_even_when_nested() -> None:
    """Priority, output file, dependencies, services and counts are never swallowed."""
    found = _fields("""
        **Test Strategy**:
        - create
          - **Output File**: tests/test_x.py
        - **Priority**: P0
    """)
    assert found["strategy"] == ["- create"]
    assert found["output"] == ["tests/test_x.py"]
    assert found["priority"] == ["P0"]


def test_headings_and_code_end_or_hide_labels() -> None:
    """A sub-heading ends a field; labels inside code are code."""
    assert _fields("""
        **Scope**: API
        #### Details
        text
        ```
        **Risk**: inside code
        ```
    """) == {"scope": ["API"]}


def test_synonyms_of_one_field_are_joined(tmp_path: Path) -> None:
    """``Test Strategy`` and ``Scenarios`` both feed ``strategy``."""
    plan = _read(tmp_path, """
        ## SEAM 1: Alpha
        **Priority**: P1
        **Test Strategy**: end to end
        **Scenarios**: happy path
    """)
    assert plan.seams[0].strategy == "end to end\n\nhappy path"


@pytest.mark.parametrize(
    ("line", "count"),
    [
        ("Expected test count: 5", "5"),
        ("**Expected test count**: 5", "5"),
        ("- **Expected Test Count:** **7** tests", "7 tests"),
        ("Expected tests: 3 (happy, empty, unicode)", "3 (happy, empty, unicode)"),
        ("We plan it. Expected number of tests = 2.", "2."),
        ("| Expected test count | 4 |", "4"),
    ],
)
def test_expected_count_anywhere_in_the_seam(line: str, count: str) -> None:
    """The count line may be a field, a table row or a sentence."""
    assert expected_count(scan(line).lines) == (1, count)


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("5", 5), ("~5", 5), ("5 tests", 5), ("3 (happy, empty)", 3), ("2.", 2),
     ("4-6", None), ("4 to 6", None), ("about five", None), ("many", None), ("", None)],
)
def test_parse_count(value: str, parsed: int | None) -> None:
    """Numbers parse; ranges and words do not."""
    assert parse_count(value) == parsed


def test_expected_count_in_code_is_ignored() -> None:
    """A count inside a code block is not the seam's count."""
    assert expected_count(scan("```\nExpected test count: 9\n```\n").lines) is None


def test_services_are_a_tuple_of_names(tmp_path: Path) -> None:
    """``**Services**: postgres, redis`` with notes, code marks and bad names."""
    plan = _read(tmp_path, """
        ## SEAM 1: Alpha
        **Priority**: P0
        **Services**: `postgres` (primary), redis and rabbit-mq; redis, bad name!
    """)
    assert plan.seams[0].services == ("postgres", "redis", "rabbit-mq")
    assert [(w.line, w.message) for w in plan.warnings] == [
        (3, "seam 1: service name 'bad name!' is not a valid name"),
    ]


@pytest.mark.parametrize(
    ("depends", "expected"),
    [
        ("None", ()),
        ("n/a", ()),
        ("-", ()),
        ("None (foundation)", ()),
        ("1", ("1",)),
        ("SEAM 1", ("1",)),
        ("Seam #2: Beta", ("2",)),
        ("1, 2", ("1", "2")),
        ("SEAM 1 and SEAM 2", ("1", "2")),
        ("alpha & beta, 1", ("1", "2")),
        ("Alpha and Beta Gamma", ("3",)),
        ("`Beta` (needs its schema)", ("2",)),
        ("- Seam 1 (first)\n- Alpha and Beta Gamma", ("1", "3")),
    ],
)
def test_dependency_forms(tmp_path: Path, depends: str, expected: tuple[str, ...]) -> None:
    """Dependencies by id, by SEAM N and by title (even a title containing "and")."""
    path = tmp_path / "TEST_PLAN.md"
    path.write_text("## SEAM 1: Alpha\n## SEAM 2: Beta\n## SEAM 3: Alpha and Beta Gamma\n"
                    f"## SEAM 4: Delta\n**Depends On**: {depends}\n", encoding="utf-8")
    plan = read_plan(path)
    assert plan.seams[3].depends_on == expected
