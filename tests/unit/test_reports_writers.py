"""Unit tests of the report writers: which files are written, report.json and report.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.cli.reports import render_markdown, report_dict, write_reports
from shared.contract import EnvironmentUse, RunSummary, ServiceStart
from tests.unit.report_samples import all_passed, full_report


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_reports(full_report(), tmp_path_factory.mktemp("run") / "nested" / "out")


@pytest.fixture(scope="module")
def markdown(written: dict[str, Path]) -> str:
    return written["report.md"].read_text(encoding="utf-8")


def test_write_reports_writes_the_three_files_and_nothing_else(
        written: dict[str, Path]) -> None:
    assert sorted(written) == ["junit.xml", "report.json", "report.md"]
    out_dir = written["report.md"].parent
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(written)


def test_report_json_has_the_documented_shape(written: dict[str, Path]) -> None:
    data = json.loads(written["report.json"].read_text(encoding="utf-8"))

    assert {"run_id", "status", "summary", "seams", "batches", "suite"} <= set(data)
    assert (data["run_id"], data["status"], data["plan"]) == ("run-42", "failed",
                                                              "docs/TEST_PLAN.md")
    assert data["summary"]["seams"] == {"passed": 2, "failed": 1, "flaky": 1, "rejected": 1,
                                        "missing": 1, "error": 1}
    assert data["summary"]["tests"] == {"passed": 2, "failed": 1, "flaky": 2, "error": 0,
                                        "skipped": 1}
    seam = data["seams"][2]
    assert {"id", "title", "priority", "status", "reason", "file", "attempts", "generated",
            "tests", "findings"} <= set(seam)
    assert seam["seeds"] == [31, 32, 33]
    assert seam["tests"][0] == {"name": "test_race", "outcome": "flaky",
                                "runs": ["failed", "passed", "failed"], "duration_s": 0.0,
                                "flaky": True, "file": "tests/test_db.py", "line": 5,
                                "message": "timing"}
    assert data["seams"][3]["findings"][0]["rule"] == "mock-usage"
    assert data["seams"][3]["attempt_log"][1]["reason"] == "mock-usage"


def test_report_json_lists_validation_and_generated_paths_without_contents(
        written: dict[str, Path]) -> None:
    data = json.loads(written["report.json"].read_text(encoding="utf-8"))

    assert data["batches"][1] == {"seams": ["4", "5", "6"], "status": "conflict", "seed": 6,
                                  "detail": "test_hits fails after test_race\nsecond line"}
    assert data["suite"]["seed"] == 99
    assert data["suite"]["count_check"] == {"plan_seams": 7, "files": 6, "expected_tests": 10,
                                            "collected_tests": 8, "ok": False,
                                            "detail": "seam 5 has no file"}
    assert data["generated_files"] == ["tests/test_queue.py"]
    assert "def test_generated" not in written["report.json"].read_text(encoding="utf-8")
    assert data["warnings"] == [{"line": 3, "message": "seam 7 has no priority; using P2"}]


def test_report_dict_shows_the_reports_summary_as_built_without_recounting() -> None:
    summary = RunSummary(seams={"passed": 3}, tests={"passed": 5}, duration_s=4.5)

    data = report_dict(all_passed().model_copy(update={"summary": summary}))

    assert data["summary"] == {"seams": {"passed": 3}, "tests": {"passed": 5}, "duration_s": 4.5}
    assert data["suite"] == {"status": "skipped", "seed": None, "detail": "",
                             "count_check": None}


def test_markdown_titles_the_run_and_summarises_by_priority(markdown: str) -> None:
    assert markdown.startswith("# seamq run `run-42`: ❌ failed\n")
    assert "- **Plan**: `docs/TEST_PLAN.md`" in markdown
    assert "- **Duration**: 2m 05s" in markdown
    assert "| P0 | 2 | 1 | 1 | 0 | 0 | 0 | 0 |" in markdown
    assert "| P1 | 2 | 0 | 0 | 1 | 1 | 0 | 0 |" in markdown
    assert "| **Total** | **7** | **2** | **1** | **1** | **1** | **1** | **1** |" in markdown


def test_markdown_shows_the_reports_summary_as_built_without_recounting() -> None:
    summary = RunSummary(seams={"passed": 3}, tests={"passed": 5, "skipped": 1})

    text = render_markdown(all_passed().model_copy(update={"summary": summary}))

    assert "**3 seams**: 3 passed. **6 tests**: 5 passed, 1 skipped." in text
    assert "| **Total** | **3** | **3** | **0** | **0** | **0** | **0** | **0** |" in text


def test_markdown_has_a_section_per_seam_with_its_facts(markdown: str) -> None:
    for heading in ("### ✅ `1` API → service", "### ❌ `2` Service → cache",
                    "### 🔁 `3` Cache → DB", "### 🚫 `4` Queue consumer",
                    "### ❓ `5` Webhooks", "### 💥 `6` Search index"):
        assert heading in markdown
    assert "- **Seeds**: 31, 32, 33" in markdown
    assert "- **File**: `tests/test_queue.py` (generated)" in markdown
    assert "| 1 | audit | rejected | mock-usage |" in markdown
    assert "| `test_race` | 🔁 flaky | ❌ ✅ ❌ | 0.00s |" in markdown


def test_markdown_escapes_pipes_in_table_cells(markdown: str) -> None:
    assert "| `test_x[a\\|b]` | ❌ failed |" in markdown


def test_markdown_fences_failure_messages_and_clips_long_ones(markdown: str) -> None:
    assert "`test_x[a|b]` (`tests/test_cache.py:7`): failed" in markdown
    assert "````text\nAssertionError: ```boom```\n" in markdown
    assert "lines omitted" in markdown
    assert "E   assert 1 == 2\n````" in markdown
    assert "trace line 100\n" not in markdown


def test_markdown_lists_findings_validation_and_the_count_check(markdown: str) -> None:
    assert ("| `tests/test_queue.py:12` | `mock-usage` | error | "
            "unittest.mock patches the broker |") in markdown
    assert "| 2 | `4`, `5`, `6` | ❌ conflict | 6 | test_hits fails after test_race second line |" \
        in markdown
    assert "✅ **isolated** (seed 99)" in markdown
    assert "❌ mismatch: seam 5 has no file" in markdown
    assert "| Tests | 10 | 8 |" in markdown
    assert "- `docs/TEST_PLAN.md:3` seam 7 has no priority; using P2" in markdown


def test_markdown_known_issues_name_every_problem_and_its_next_step(markdown: str) -> None:
    issues = markdown.split("## Known issues\n", 1)[1].strip().splitlines()

    assert [line.split(". Next: ")[0] for line in issues] == [
        "- `2` (P0) **failed**: test_x[a\\|b]: assert 1 == 2",
        "- `3` (P1) **flaky**: test_race: seeds 31, 33",
        "- `4` (P1) **rejected**: 2 blocking audit findings",
        "- `5` (P2) **missing**: tests/test_hooks.py does not exist and no generator is set",
        "- `6` (P3) **error**: sandbox timed out after 300s",
        "- Batch 2 (`4`, `5`, `6`) **conflict**: test_hits fails after test_race",
        "- Count check **mismatch**: seam 5 has no file",
    ]
    assert all(". Next: " in line for line in issues)


def test_markdown_of_a_clean_run_has_no_known_issues(tmp_path: Path) -> None:
    text = write_reports(all_passed(), tmp_path)["report.md"].read_text(encoding="utf-8")

    assert text.rstrip().endswith("## Known issues\n\nNone.")
    assert "No batch validation ran." in text


def test_report_json_says_per_seam_which_services_and_environment_image_it_ran_with() -> None:
    seam = all_passed().seams[0].model_copy(update={
        "services": (ServiceStart(name="postgres", image="seamq-postgres:15", startup_s=1.5),),
        "environment": EnvironmentUse(tag="seamq-env:0123456789abcdef", built=True,
                                      build_s=21.5)})

    data = report_dict(all_passed().model_copy(update={"seams": (seam,)}))

    assert data["seams"][0]["services"] == [
        {"name": "postgres", "image": "seamq-postgres:15", "startup_s": 1.5}]
    assert data["seams"][0]["environment"] == {
        "tag": "seamq-env:0123456789abcdef", "built": True, "build_s": 21.5}
    assert report_dict(all_passed())["seams"][0]["environment"] is None
