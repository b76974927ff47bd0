"""Output file resolution: field, plan file list, an existing file that matches, convention."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shared.contract import TestPlan
from shared.plan.matching import Candidate, assign
from shared.plan.outputs import convention_name, field_path
from shared.plan.reader import MIN_MATCH_SCORE, read_plan


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
    candidates = {name: Candidate(name, "Existing tests.", ()) for name in files}
    match = assign({"1": (title, "")}, candidates, MIN_MATCH_SCORE).get("1")
    assert (match.name if match else None) == expected


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
    """field, then the plan's file list, then an existing file; prose never names one."""
    plan = _read(tmp_path, """
        ## P1
        ### SEAM 1: Cache Warmup
        **Output File**: `tests/test_warm.py`
        Mentions tests/test_ignored.py too.
        ### SEAM 2: Cache Eviction
        **Test Strategy**: review `tests/test_eviction.py` and consider adding to it.
        ### SEAM 3: Cache Layer
        ### SEAM 4: Session Store
        ### SEAM 5: Token Refresh
        ## Test Organization
        - `tests/test_tokens.py`: Seam 5
    """, "test_cache_layer.py")
    assert [(s.output_file, s.output_source) for s in plan.seams] == [
        ("tests/test_warm.py", "field"),
        ("test_cache_eviction_integration.py", "convention"),
        ("test_cache_layer.py", "match"),
        ("test_session_store_integration.py", "convention"),
        ("tests/test_tokens.py", "body"),
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


def test_several_seams_in_one_file_is_a_notice(tmp_path: Path) -> None:
    """Four seams in one file read fine; the plan says so once, as a warning."""
    plan = _read(tmp_path, """
        ## P0
        ### SEAM 1: Detection
        **Output File**: test_security.py
        ### SEAM 2: Policy
        **File**: test_security.py
        ### SEAM 3: Headers
        ### SEAM 4: CORS
        ## Test Organization
        | file | seams |
        |---|---|
        | `test_security.py` | Seams 3 to 4 |
    """)
    assert {s.output_file for s in plan.seams} == {"test_security.py"}
    assert [w.message for w in plan.warnings] == [
        "seams 1, 2, 3, 4 share test_security.py: its tests are attributed by "
        "@pytest.mark.seam, class or name, else the file counts for each"
    ]


def test_a_path_that_repeats_the_plan_folder_is_read_from_the_project_root(
    tmp_path: Path,
) -> None:
    """``tests/test_x.py`` in a plan under ``tests/`` is the project's tests/test_x.py."""
    (tmp_path / "tests").mkdir()
    plan_file = tmp_path / "tests" / "TEST_PLAN.md"
    plan_file.write_text("## SEAM 1: Alpha\n**Output File**: tests/test_alpha.py\n"
                         "## SEAM 2: Beta\n**Output File**: test_beta.py\n", encoding="utf-8")

    plan = read_plan(plan_file, tmp_path)

    assert [s.output_file for s in plan.seams] == ["tests/test_alpha.py", "tests/test_beta.py"]
    assert "relative to the project root" in plan.seams[0].output_reason
    assert "relative to the plan's folder" in plan.seams[1].output_reason


def test_a_docstring_that_states_the_title_beats_a_file_name(tmp_path: Path) -> None:
    """The file whose docstring is the seam's title wins over one whose name matches."""
    (tmp_path / "test_checkout.py").write_text('"""Checkout → Payment Gateway"""\n')
    (tmp_path / "test_payment_gateway.py").write_text('"""Refund flows."""\n')
    plan = _read(tmp_path, """
        ## SEAM 1: Checkout → Payment Gateway
        ## SEAM 2: Refunds → Payment Gateway
    """)
    assert [s.output_file for s in plan.seams] == ["test_checkout.py", "test_payment_gateway.py"]
    assert "docstring states the title" in plan.seams[0].output_reason


def test_a_docstring_naming_another_seam_makes_the_file_that_seams(tmp_path: Path) -> None:
    """``SEAM 2`` in a docstring gives the file to seam 2, whatever its name says."""
    (tmp_path / "test_order_service.py").write_text('"""SEAM 2: stock reservation."""\n')
    plan = _read(tmp_path, """
        ## SEAM 1: Order Service → Payments
        ## SEAM 2: Inventory Reservation
    """)
    assert [s.output_file for s in plan.seams] == [
        "test_order_service_payments_integration.py", "test_order_service.py"]


def test_a_file_a_sibling_plan_names_is_not_a_candidate(tmp_path: Path) -> None:
    """Another plan in the folder owns the files it names."""
    (tmp_path / "test_order_cache.py").write_text('"""Order cache."""\n')
    (tmp_path / "CACHE_PLAN.md").write_text("### SEAM 1: Cache\n**File**: test_order_cache.py\n")
    plan = _read(tmp_path, "## SEAM 1: Order Cache Invalidation\n")
    assert plan.seams[0].output_source == "convention"
