"""report.md reads for a person: the verdict and its reasons first, then what to do next,
the environment, each seam's purpose from the plan, and no empty rows or cells."""

from __future__ import annotations

import re

from services.cli.reports import render_markdown
from shared.contract import Attempt, BatchReport, Conflict, RunEnvironment, SuiteReport
from tests.unit.report_samples import all_passed, full_report, sample_report, sample_seams

REPRODUCE = "python -m pytest -p no:randomly tests/test_b.py::test_leak tests/test_a.py::test_size"


def _passed_but_conflicting() -> str:
    seams = tuple(s.model_copy(update={"status": "passed", "reason": ""})
                  for s in sample_seams()[:4])
    conflict = Conflict(victim="tests/test_a.py::test_size", polluters=(
        "tests/test_b.py::test_leak",), proven=True, seed=6, evidence="alone it passes",
        reproduce=REPRODUCE)
    report = sample_report(seams, batches=(BatchReport(
        seams=("1", "3"), status="conflict", seed=6, conflicts=(conflict,),
        detail="tests/test_a.py::test_size fails after tests/test_b.py::test_leak"),),
        environment=RunEnvironment(sandboxes=("local (subprocess)",), python=("3.11.2",),
                                   pytest=("8.3.4",)))
    return render_markdown(report)


def test_the_verdict_says_why_a_run_of_passed_seams_failed_before_anything_else() -> None:
    text = _passed_but_conflicting()

    first_paragraph = text.split("\n\n")[1]
    assert first_paragraph == ("Failed: every seam passed, but the tests of seams 1 and 3 "
                               "conflict when run together (details below).")


def test_what_to_do_next_gives_the_conflicts_reproduce_command() -> None:
    text = _passed_but_conflicting()

    steps = text.split("## What to do next\n\n", 1)[1].split("\n\n", 1)[0]
    assert steps == (f"- Batch 1 (conflict): reproduce it from the project root with "
                     f"`{REPRODUCE}`, then make the polluting test clean up after itself.")
    assert text.index("## What to do next") < text.index("## Summary")


def test_the_environment_names_sandbox_python_and_pytest_and_how_to_rerun() -> None:
    text = _passed_but_conflicting()

    environment = text.split("## Environment\n\n", 1)[1].split("\n\n", 1)[0]
    assert "- **Sandbox**: local (subprocess)" in environment
    assert "- **Inside the sandbox**: Python 3.11.2, pytest 8.3.4" in environment
    assert "- **Re-run**: `seamq run docs/TEST_PLAN.md`" in environment


def test_a_clean_run_says_so_in_one_sentence_and_has_nothing_to_do() -> None:
    report = all_passed().model_copy(update={"suite": SuiteReport(status="isolated")})

    text = render_markdown(report)

    assert text.split("\n\n")[1] == ("Passed: all 1 seams passed in every random-order "
                                     "repeat, and their tests ran together without a conflict.")
    assert "## What to do next" not in text


def test_each_seam_shows_the_plans_scope_impact_and_success_criteria() -> None:
    seam = sample_seams()[0].model_copy(update={
        "scope": "OrderAPI → OrderService", "impact": "orders are lost",
        "success_criteria": "an order posted is stored once"})

    text = render_markdown(sample_report((seam,), status="passed"))

    assert "- **Scope**: OrderAPI → OrderService" in text
    assert "- **Business impact**: orders are lost" in text
    assert "- **Success criteria**: an order posted is stored once" in text
    assert "- **Ran**: 3 random-order repeat(s) in fresh processes" in text


def test_no_priority_row_is_empty_and_no_table_cell_is_blank() -> None:
    seam = sample_seams()[0].model_copy(update={"attempt_log": (
        Attempt(number=1, phase="audit", status="passed"),
        Attempt(number=1, phase="execute", status="passed"))})
    text = render_markdown(sample_report((seam,), status="passed"))
    full = render_markdown(full_report())

    assert "| P2 |" not in text
    assert "| P3 |" not in text
    assert "| 1 | audit | passed | no blocking audit finding |" in text
    for table_row in (line for page in (text, full) for line in page.splitlines()
                      if line.startswith("|")):
        assert not re.search(r"\|\s*\|", table_row.replace("\\|", "")), table_row


def test_a_long_conflict_detail_keeps_every_test_name_whole() -> None:
    polluter = "tests/test_cache_expiry_integration.py::test_zero_ttl_makes_every_read_reach_it"
    # A limit of 200 or 300 characters falls inside the polluter's name.
    detail = "evidence: " + "x " * 90 + f"{polluter} pollutes tests/test_reads.py::test_once"
    report = sample_report(sample_seams()[:1], suite=SuiteReport(status="conflict",
                                                                 detail=detail))

    text = render_markdown(report)

    assert polluter in text
    assert not re.search(r"\w…", text), "a word was cut off with an ellipsis"
