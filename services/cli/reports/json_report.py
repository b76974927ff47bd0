"""``report.json``: the run report as plain JSON, in the shape docs/architecture.md documents.

The documented keys are always present; extra keys (plan, seeds, attempt log, test
file/line/message, timestamps, warnings, generated file paths) are additions a tolerant
reader can ignore. Generated file contents are left out: they are written under
``generated/`` and only their paths are listed here.
"""

from __future__ import annotations

import json
from typing import Any

from services.cli.reports.coverage_report import run_coverage_dict, seam_coverage_dict
from shared.contract import (
    BatchReport,
    CountCheck,
    RunReport,
    SeamReport,
    SuiteReport,
    TestResult,
)
from shared.status import is_flaky


def report_dict(report: RunReport) -> dict[str, Any]:
    """The content of ``report.json`` (also what ``--format json`` prints)."""
    return {
        "schema_version": report.schema_version,
        "run_id": report.run_id,
        "status": report.status,
        "cause": report.cause,
        "environment": report.environment.model_dump(mode="json"),
        "plan": report.plan,
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "summary": report.summary.model_dump(mode="json"),
        "seams": [_seam(seam) for seam in report.seams],
        "batches": [_batch(batch) for batch in report.batches],
        "suite": _suite(report.suite),
        "generated_files": sorted(report.generated_files),
        "warnings": [{"line": w.line, "message": w.message} for w in report.warnings],
        "coverage": run_coverage_dict(report.coverage),
    }


def report_json(report: RunReport) -> str:
    """``report_dict`` serialised: indented, UTF-8 friendly, newline-terminated."""
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


def _seam(seam: SeamReport) -> dict[str, Any]:
    return {
        "id": seam.id,
        "title": seam.title,
        "priority": seam.priority,
        "status": seam.status,
        "reason": seam.reason,
        "file": seam.file,
        "attempts": seam.attempts,
        "generated": seam.generated,
        "tests": [_test(test) for test in seam.tests],
        "findings": [finding.model_dump(mode="json") for finding in seam.findings],
        "seeds": list(seam.seeds),
        "repeats": [run.model_dump(mode="json") for run in seam.repeats],
        "confirmations": [run.model_dump(mode="json") for run in seam.confirmations],
        "overridden": [o.model_dump(mode="json") for o in seam.overridden],
        "shared_with": list(seam.shared_with),
        "services": [service.model_dump(mode="json") for service in seam.services],
        "environment": (seam.environment.model_dump(mode="json")
                        if seam.environment is not None else None),
        "duration_s": seam.duration_s,
        "attempt_log": [attempt.model_dump(mode="json") for attempt in seam.attempt_log],
        "logs_tail": seam.logs_tail,
        "coverage": seam_coverage_dict(seam.coverage),
    }


def _test(test: TestResult) -> dict[str, Any]:
    return {
        "name": test.name,
        "outcome": test.outcome,
        "runs": list(test.runs),
        "duration_s": test.duration_s,
        "flaky": is_flaky(test),
        "file": test.file,
        "line": test.line,
        "message": test.message,
    }


def _batch(batch: BatchReport) -> dict[str, Any]:
    return {
        "seams": list(batch.seams),
        "status": batch.status,
        "detail": batch.detail,
        "seed": batch.seed,
    }


def _suite(suite: SuiteReport) -> dict[str, Any]:
    return {
        "status": suite.status,
        "seed": suite.seed,
        "detail": suite.detail,
        "count_check": _count_check(suite.count_check) if suite.count_check else None,
    }


def _count_check(check: CountCheck) -> dict[str, Any]:
    return {
        "plan_seams": check.plan_seams,
        "files": check.files,
        "expected_tests": check.expected_tests,
        "collected_tests": check.collected_tests,
        "ok": check.ok,
        "detail": check.detail,
    }
