"""Output file resolution: field, body, match with an existing file, convention."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shared.contract import TestPlan
from shared.plan.markdown import scan
from shared.plan.outputs import (
    assign_matches,
    body_path,
    convention_name,
    field_path,
)
from shared.plan.reader import read_plan


def _read(tmp_path: Path, text: str, *existing: str) -> TestPlan:
    for name in existing:
        (tmp_path / name).write_text('"""Existing tests."""\n', encoding="utf-8")
    path = tmp_path / "TEST_PLAN.md"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return read_plan(path)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("`tests/integration/test_auth.py`", "tests/integration/test_auth.py"),
        ("**tests/test_auth.py** (new file)", "tests/test_auth.py"),
        ('"tests\\integration\\test_win.py"', "tests/integration/test_win.py"),
        ("auth_checks.py", "auth_checks.py"),
        ("TBD", None),
        ("to be decided", None),
    ],
)
def test_field_path(value: str, path: str | None) -> None:
    """The output field names a ``.py`` path, cleaned of Markdown."""
    assert field_path(value) == path


def test_body_path_prefers_text_outside_code() -> None:
    """The first ``test_*.py`` outside code blocks wins over one inside."""
    lines = scan(textwrap.dedent("""
        ```
        pytest tests/test_in_code.py
        ```
        Extend `tests/integration/test_outside.py::test_one`.
    """)).lines
    assert body_path(lines) == "tests/integration/test_outside.py"
    assert body_path(lines[:3]) == "tests/test_in_code.py"
    assert body_path(scan("see contest_results.py and my_test_x.py").lines) is None


@pytest.mark.parametrize(
    ("title", "files", "expected"),
    [
        ("User API → Database", ["test_user_api_integration.py", "test_users.py"],
         "test_user_api_integration.py"),
        ("Order Lookup", ["test_order_history.py", "test_order_export.py"],
         "test_order_export.py"),
        ("Integration Test of DB", ["test_integration.py", "test_db.py"], None),
        ("Users", ["test_user.py"], "test_user.py"),
        ("Cache Layer", ["test_helpers.py"], None),
    ],
)
def test_match_with_one_seam(title: str, files: list[str], expected: str | None) -> None:
    """Most shared significant words wins; ties go alphabetical; "db" is too short."""
    assert assign_matches({"1": title}, files).get("1") == expected


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("User API → Database", "test_user_api_database_integration.py"),
        ("Auth Integration", "test_auth_integration.py"),
        ("→", "test_7_integration.py"),
    ],
)
def test_convention_name(title: str, name: str) -> None:
    """``test_<slug>_integration.py``, falling back to the id for a title without words."""
    assert convention_name(title, "7") == name


def test_resolution_order_and_sources(tmp_path: Path) -> None:
    """field, then body, then an existing file, then the convention."""
    plan = _read(tmp_path, """
        ## P1
        ### SEAM 1: Cache Warmup
        **Output File**: `tests/test_warm.py`
        Mentions tests/test_ignored.py too.
        ### SEAM 2: Cache Eviction
        Extends tests/test_eviction.py.
        ### SEAM 3: Cache Layer
        ### SEAM 4: Session Store
    """, "test_cache_layer.py")
    assert [(s.output_file, s.output_source) for s in plan.seams] == [
        ("tests/test_warm.py", "field"),
        ("tests/test_eviction.py", "body"),
        ("test_cache_layer.py", "match"),
        ("test_session_store_integration.py", "convention"),
    ]


def test_each_existing_file_is_matched_at_most_once(tmp_path: Path) -> None:
    """A file named by a field (even later) is not matched; best-scoring pairs go first."""
    plan = _read(tmp_path, """
        ## P1
        ### SEAM 1: Payment Gateway Retries
        ### SEAM 2: Payment Gateway
        **Output File**: test_payment_gateway.py
        ### SEAM 3: Payment Refunds
        ### SEAM 4: Payment Disputes
    """, "test_payment_gateway.py", "test_payment_refunds.py")
    assert [(s.output_file, s.output_source) for s in plan.seams] == [
        ("test_payment_gateway_retries_integration.py", "convention"),
        ("test_payment_gateway.py", "field"),
        ("test_payment_refunds.py", "match"),
        ("test_payment_disputes_integration.py", "convention"),
    ]


def test_output_field_without_a_path_warns_and_falls_back(tmp_path: Path) -> None:
    """``Output File: TBD`` is a warning, and the next rule applies."""
    plan = _read(tmp_path, """
        ## SEAM 1: Alpha
        **Priority**: P0
        **Output File**: TBD
    """)
    assert plan.seams[0].output_source == "convention"
    assert [(w.line, w.message) for w in plan.warnings] == [
        (3, "seam 1: output file 'TBD' names no .py file"),
    ]
