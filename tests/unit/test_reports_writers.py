"""Unit tests of the report writers: report.json, report.md and junit.xml, as written."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from services.cli.reports import report_dict, summary_counts, write_reports
from shared.contract import (
    Attempt,
    BatchReport,
    CountCheck,
    Finding,
    PlanWarning,
    RunReport,
    SeamReport,
    SuiteReport,
    TestResult,
)

LONG_TRACE = "\n".join(f"trace line {n}" for n in range(200)) + "\nE   assert 1 == 2"


def _seams() -> tuple[SeamReport, ...]:
    return (
        SeamReport(
            id="1", title="API → service", priority="P0", status="passed",
            file="tests/test_api_service.py", attempts=1, seeds=(11, 12, 13), duration_s=4.0,
            tests=(
                TestResult(name="test_creates_order", file="tests/test_api_service.py",
                           line=10, outcome="passed", runs=("passed",) * 3, duration_s=0.5),
                TestResult(name="TestCache::test_hits", file="tests/test_api_service.py",
                           line=30, outcome="passed", runs=("passed",) * 3, duration_s=0.25),
            ),
        ),
        SeamReport(
            id="2", title="Service → cache", priority="P0", status="failed",
            reason="test_x[a|b]: assert 1 == 2", file="tests/test_cache.py", attempts=1,
            seeds=(21,),
            tests=(
                TestResult(name="test_x[a|b]", file="tests/test_cache.py", line=7,
                           outcome="failed", runs=("failed",), duration_s=1.5,
                           message="\x1b[31mAssertionError\x1b[0m: ```boom```\x00\n" + LONG_TRACE),
            ),
        ),
        SeamReport(
            id="3", title="Cache → DB", priority="P1", status="flaky",
            reason="test_race: seeds 31, 33", file="tests/test_db.py", attempts=1,
            seeds=(31, 32, 33),
            tests=(
                TestResult(name="test_race", file="tests/test_db.py", line=5, outcome="flaky",
                           runs=("failed", "passed", "failed"), message="timing"),
                TestResult(name="test_legacy", file="tests/test_db.py", line=9,
                           outcome="passed", runs=("passed", "error", "passed")),
            ),
        ),
        SeamReport(
            id="4", title="Queue consumer", priority="P1", status="rejected",
            reason="2 blocking audit findings", file="tests/test_queue.py", attempts=3,
            generated=True,
            attempt_log=(
                Attempt(number=1, phase="generate", status="generated"),
                Attempt(number=1, phase="audit", status="rejected", reason="mock-usage"),
            ),
            findings=(
                Finding(path="tests/test_queue.py", line=12, rule="mock-usage",
                        severity="error", message="unittest.mock patches the broker"),
                Finding(path="tests/test_queue.py", line=20, rule="print-call",
                        severity="warning", message="print() in a test"),
            ),
        ),
        SeamReport(id="5", title="Webhooks", priority="P2", status="missing",
                   reason="tests/test_hooks.py does not exist and no generator is set",
                   file="tests/test_hooks.py"),
        SeamReport(id="6", title="Search index", priority="P3", status="error",
                   reason="sandbox timed out after 300s", file="tests/test_search.py",
                   logs_tail="starting container\nkilled after 300s"),
        SeamReport(
            id="7", title="Audit log", priority="P2", status="passed", file="tests/test_log.py",
            tests=(TestResult(name="test_optional", file="tests/test_log.py", line=3,
                              outcome="skipped", runs=("skipped",), message="needs S3"),),
        ),
    )


def _report(seams: tuple[SeamReport, ...], status: str = "failed", **fields: object) -> RunReport:
    return RunReport(run_id="run-42", status=status, plan="docs/TEST_PLAN.md",
                     summary=summary_counts(seams), seams=seams, **fields)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    report = _report(
        _seams(),
        batches=(
            BatchReport(seams=("1", "2", "3"), status="isolated", seed=5),
            BatchReport(seams=("4", "5", "6"), status="conflict", seed=6,
                        detail="test_hits fails after test_race\nsecond line"),
        ),
        suite=SuiteReport(
            status="isolated", seed=99,
            count_check=CountCheck(plan_seams=7, files=6, expected_tests=10, collected_tests=8,
                                   ok=False, detail="seam 5 has no file"),
        ),
        generated_files={"tests/test_queue.py": "def test_generated(): ...\n" * 1_000},
        warnings=(PlanWarning(line=3, message="seam 7 has no priority; using P2"),),
        started_at=1_700_000_000.0,
        finished_at=1_700_000_125.0,
    )
    return write_reports(report, tmp_path_factory.mktemp("run") / "nested" / "out")


@pytest.fixture(scope="module")
def markdown(written: dict[str, Path]) -> str:
    return written["report.md"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def junit(written: dict[str, Path]) -> ET.Element:
    return ET.parse(written["junit.xml"]).getroot()


def _all_passed() -> RunReport:
    return _report(_seams()[:1], status="passed")


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


def test_report_dict_computes_the_summary_when_the_report_has_none() -> None:
    data = report_dict(_all_passed().model_copy(update={"summary": {}}))  # a bare report

    assert data["summary"]["seams"]["passed"] == 1
    assert data["summary"]["tests"]["passed"] == 2
    assert data["suite"] == {"status": "skipped", "seed": None, "detail": "",
                             "count_check": None}


def test_markdown_titles_the_run_and_summarises_by_priority(markdown: str) -> None:
    assert markdown.startswith("# seamq run `run-42`: ❌ failed\n")
    assert "- **Plan**: `docs/TEST_PLAN.md`" in markdown
    assert "- **Duration**: 2m 05s" in markdown
    assert "| P0 | 2 | 1 | 1 | 0 | 0 | 0 | 0 |" in markdown
    assert "| P1 | 2 | 0 | 0 | 1 | 1 | 0 | 0 |" in markdown
    assert "| **Total** | **7** | **2** | **1** | **1** | **1** | **1** | **1** |" in markdown


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


def test_markdown_known_issues_name_every_problem_in_one_line(markdown: str) -> None:
    issues = markdown.split("## Known issues\n", 1)[1].strip().splitlines()

    assert issues == [
        "- `2` (P0) **failed**: test_x[a\\|b]: assert 1 == 2",
        "- `3` (P1) **flaky**: test_race: seeds 31, 33",
        "- `4` (P1) **rejected**: 2 blocking audit findings",
        "- `5` (P2) **missing**: tests/test_hooks.py does not exist and no generator is set",
        "- `6` (P3) **error**: sandbox timed out after 300s",
        "- Batch 2 (`4`, `5`, `6`) **conflict**: test_hits fails after test_race",
        "- Count check **mismatch**: seam 5 has no file",
    ]


def test_markdown_of_a_clean_run_has_no_known_issues(tmp_path: Path) -> None:
    text = write_reports(_all_passed(), tmp_path)["report.md"].read_text(encoding="utf-8")

    assert text.rstrip().endswith("## Known issues\n\nNone.")
    assert "No batch validation ran." in text


def test_junit_counts_add_up_per_seam_and_overall(junit: ET.Element) -> None:
    suites = junit.findall("testsuite")

    assert [s.get("name") for s in suites][:2] == ["1: API → service", "2: Service → cache"]
    assert len(suites) == 8
    counts = {s.get("name"): (s.get("tests"), s.get("failures"), s.get("errors"),
                              s.get("skipped")) for s in suites}
    assert counts["1: API → service"] == ("2", "0", "0", "0")
    assert counts["3: Cache → DB"] == ("2", "2", "0", "0")
    assert counts["7: Audit log"] == ("1", "0", "0", "1")
    assert counts["seamq validation"] == ("4", "2", "0", "0")
    assert (junit.get("name"), junit.get("tests"), junit.get("failures"), junit.get("errors"),
            junit.get("skipped")) == ("seamq", "13", "7", "1", "1")


def test_junit_keeps_file_line_and_class(junit: ET.Element) -> None:
    case = junit.find("testsuite/testcase[@name='test_hits']")

    assert case is not None
    assert case.attrib == {"classname": "tests.test_api_service.TestCache", "name": "test_hits",
                           "file": "tests/test_api_service.py", "line": "30", "time": "0.250"}


def test_junit_reports_failures_with_their_message_and_flaky_tests_as_failures(
        junit: ET.Element) -> None:
    failure = junit.find("testsuite/testcase[@name='test_x[a|b]']/failure")
    flaky = junit.find("testsuite/testcase[@name='test_race']/failure")
    legacy = junit.find("testsuite/testcase[@name='test_legacy']/failure")

    assert failure is not None
    assert failure.text is not None
    assert failure.get("message") == "AssertionError: ```boom```"
    assert failure.text.rstrip().endswith("E   assert 1 == 2")
    assert flaky is not None
    assert legacy is not None
    assert flaky.get("message") == "flaky: passed 1 of 3 runs (failed, passed, failed)"
    assert flaky.get("type") == "flaky"
    assert legacy.get("message", "").startswith("flaky: passed 2 of 3 runs")


def test_junit_gives_a_seam_without_tests_a_synthetic_case(junit: ET.Element) -> None:
    rejected = junit.find("testsuite/testcase[@name='4: Queue consumer']/failure")
    missing = junit.find("testsuite/testcase[@name='5: Webhooks']/failure")
    error = junit.find("testsuite/testcase[@name='6: Search index']/error")

    assert rejected is not None
    assert rejected.text is not None
    assert rejected.get("message") == "rejected: 2 blocking audit findings"
    assert "tests/test_queue.py:12: mock-usage [error]" in rejected.text
    assert missing is not None
    assert missing.get("message", "").startswith("missing: ")
    assert error is not None
    assert "killed after 300s" in (error.text or "")


def test_junit_strips_characters_xml_cannot_carry(written: dict[str, Path]) -> None:
    raw = written["junit.xml"].read_bytes()

    assert raw.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b"\x1b" not in raw
    assert b"\x00" not in raw
    assert "API → service".encode() in raw


def test_junit_of_a_clean_run_has_no_failures_and_no_validation_suite(tmp_path: Path) -> None:
    root = ET.parse(write_reports(_all_passed(), tmp_path)["junit.xml"]).getroot()

    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "0", "0")
    assert [s.get("name") for s in root.findall("testsuite")] == ["1: API → service"]
    assert root.get("time") == "4.000"
