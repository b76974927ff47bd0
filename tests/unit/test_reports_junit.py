"""Unit tests of the merged junit.xml report, as written next to report.md and report.json."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from services.cli.reports import write_reports
from tests.unit.report_samples import all_passed, full_report

JUNIT_XSD = Path(__file__).parents[1] / "fixtures" / "junit" / "junit.xsd"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_reports(full_report(), tmp_path_factory.mktemp("run") / "out")


@pytest.fixture(scope="module")
def junit(written: dict[str, Path]) -> ET.Element:
    return ET.parse(written["junit.xml"]).getroot()


def test_junit_counts_add_up_per_seam_and_overall(junit: ET.Element) -> None:
    suites = junit.findall("testsuite")

    assert [s.get("name") for s in suites][:2] == ["1: API → service", "2: Service → cache"]
    assert len(suites) == 8
    counts = {s.get("name"): (s.get("tests"), s.get("failures"), s.get("errors"),
                              s.get("skipped")) for s in suites}
    assert counts["1: API → service"] == ("2", "0", "0", "0")
    assert counts["3: Cache → DB"] == ("2", "2", "0", "0")
    assert counts["7: Audit log"] == ("1", "0", "0", "1")
    assert counts["4: Queue consumer"] == ("2", "2", "0", "0")
    assert counts["seamq validation"] == ("4", "2", "0", "0")
    assert (junit.get("name"), junit.get("tests"), junit.get("failures"),
            junit.get("errors")) == ("seamq", "14", "8", "1")
    assert junit.get("skipped") is None


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
    root = ET.parse(write_reports(all_passed(), tmp_path)["junit.xml"]).getroot()

    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "0", "0")
    assert [s.get("name") for s in root.findall("testsuite")] == ["1: API → service"]
    assert root.get("time") == "4.000"


def test_junit_is_valid_against_the_junit_schema(written: dict[str, Path]) -> None:
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))

    errors = [f"{e.path}: {e.reason}" for e in schema.iter_errors(str(written["junit.xml"]))]

    assert errors == []


def test_a_conflict_names_its_victim_at_file_and_line_with_real_time(junit: ET.Element) -> None:
    (case,) = junit.findall("testsuite[@name='seamq validation']/testcase[failure]"
                            "[@file='tests/test_cache.py']")

    assert case.get("line") == "14"
    assert case.get("classname") == "tests.test_cache.TestCache"
    assert case.get("name", "").startswith("test_hits [batch 2")
    assert float(case.get("time", "0")) > 0
    failure = case.find("failure")
    assert failure is not None
    assert "stale entry" in (failure.text or "")


def test_a_rejected_seam_carries_its_blocking_findings_at_their_lines(
    junit: ET.Element,
) -> None:
    cases = junit.findall("testsuite[@name='4: Queue consumer']/testcase[@classname="
                          "'seamq.audit']")

    assert [(c.get("file"), c.get("line")) for c in cases] == [("tests/test_queue.py", "12")]


def test_suite_timestamps_carry_a_zone(junit: ET.Element) -> None:
    stamps = {suite.get("timestamp") for suite in junit.findall("testsuite")}

    assert stamps == {"2023-11-14T22:13:20+00:00"}
