"""The message contract: versioning, tolerant reading, bounded input, one decode error type."""

from __future__ import annotations

import json

import pytest

from shared.contract import (
    MAX_MESSAGE_BYTES,
    PRIORITY_NAMES,
    TERMINAL_STATUSES,
    Priority,
    ProjectSource,
    RunReport,
    RunRequest,
    RunSummary,
    Seam,
    SeamJob,
    TestPlan,
    decode,
    encode,
    json_schemas,
)
from shared.errors import DecodeError


def _request() -> RunRequest:
    seam = Seam(id="1", title="A → B", line=3, priority=Priority.P0, output_file="t/test_a.py")
    return RunRequest(run_id="r1", plan=TestPlan(path="PLAN.md", seams=(seam,)),
                      project=ProjectSource(path="/srv/project"))


def test_a_message_survives_the_wire_unchanged() -> None:
    request = _request()

    assert decode("RunRequest", encode(request)) == request


def test_unknown_fields_within_the_major_version_are_ignored() -> None:
    data = json.loads(encode(_request()))
    data["schema_version"] = "1.9"
    data["added_in_a_later_minor"] = {"anything": True}

    decoded = decode("RunRequest", json.dumps(data).encode())

    assert decoded.run_id == "r1"  # type: ignore[attr-defined]


def test_a_seam_job_and_its_coverage_from_before_the_baseline_still_decode() -> None:
    request = _request()
    job = json.loads(encode(SeamJob(job_id="j", run_id="r1", seam=request.parsed_plan.seams[0],
                                    project=request.project, plan_path="PLAN.md",
                                    execution=request.execution)))
    del job["baseline_files"]
    result = {"job_id": "j", "run_id": "r1", "kind": "seam", "status": "passed",
              "coverage": {"measured": True, "component": ["app"]}}

    assert decode("SeamJob", json.dumps(job).encode()).baseline_files == ()
    coverage = decode("JobResult", json.dumps(result).encode()).coverage  # type: ignore[attr-defined]
    assert coverage is not None
    assert coverage.baseline is None


def test_another_major_version_is_rejected_with_the_reason() -> None:
    data = json.loads(encode(_request()))
    data["schema_version"] = "2.0"

    with pytest.raises(DecodeError, match="schema major version '2' is not supported"):
        decode("RunRequest", json.dumps(data).encode())


@pytest.mark.parametrize(
    ("message_type", "body", "reason"),
    [
        ("RunRequest", b"{not json", "not JSON"),
        ("RunRequest", b"[1, 2]", "not a JSON object"),
        ("Nonsense", b"{}", "unknown message type"),
        (None, b"{}", "unknown message type"),
        ("RunRequest", b'{"run_id": "r1"}', "invalid RunRequest"),
        ("RunRequest", b" " * (MAX_MESSAGE_BYTES + 1), "exceeds"),
    ],
)
def test_bad_bodies_raise_one_decode_error(message_type: str | None, body: bytes,
                                           reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode(message_type, body)


def test_strings_from_outside_are_bounded() -> None:
    data = json.loads(encode(_request()))
    data["run_id"] = "x" * 10_000

    with pytest.raises(DecodeError, match="run_id"):
        decode("RunRequest", json.dumps(data).encode())


def test_json_schema_is_exported_for_every_message() -> None:
    schemas = json_schemas()

    assert {"RunRequest", "SeamJob", "ValidationJob", "AuditJob", "AuditReport", "JobResult",
            "RunEvent", "RunReport"} <= set(schemas)
    assert "plan" in schemas["RunRequest"]["properties"]


def test_the_priority_enum_and_the_priority_names_agree() -> None:
    assert tuple(p.value for p in Priority) == PRIORITY_NAMES


def test_a_report_summary_reads_back_from_its_documented_json_shape() -> None:
    body = json.dumps({
        "run_id": "r1", "status": "failed", "plan": "PLAN.md", "seams": [],
        "summary": {"seams": dict.fromkeys(TERMINAL_STATUSES, 1), "tests": {"passed": 2},
                    "duration_s": 3},
    }).encode()

    report = decode("RunReport", body)

    assert isinstance(report, RunReport)
    assert report.summary == RunSummary(seams=dict.fromkeys(TERMINAL_STATUSES, 1),
                                        tests={"passed": 2}, duration_s=3.0)


def test_a_summary_with_an_unknown_status_is_rejected() -> None:
    body = json.dumps({"run_id": "r1", "status": "failed", "plan": "PLAN.md", "seams": [],
                       "summary": {"seams": {"green": 1}}}).encode()

    with pytest.raises(DecodeError, match="summary"):
        decode("RunReport", body)
