"""A seam's status from what its jobs reported, and a batch's or the suite's.

The coordinator's state machine asks here what an audit report, a job result or a
validation result means; it decides only what to do next (retry, dispatch, finish).
"""

from __future__ import annotations

from shared.contract import (
    AuditReport,
    JobResult,
    SeamStatus,
    TerminalStatus,
    ValidationOutcome,
    ValidationProgress,
    ValidationStatus,
    is_terminal,
    is_validation_status,
)


def audit_rejection(report: AuditReport) -> str:
    """Why the audit rejects the test, or ``""`` when no finding blocks it."""
    blocking = report.blocking
    if not blocking:
        return ""
    return f"{len(blocking)} audit finding(s) block this test: " + "; ".join(
        f"{f.rule} (line {f.line})" for f in blocking[:5]
    )


def seam_status(result: JobResult) -> TerminalStatus:
    """What an execute result makes of its seam: its own status, or ``error`` for a status
    a seam cannot end in."""
    return result.status if is_terminal(result.status) else "error"


def reported_seam(status: SeamStatus, reason: str) -> tuple[TerminalStatus, str]:
    """A seam's status and reason as the report shows them; a seam the run left unfinished
    (interrupted) is an ``error``."""
    if is_terminal(status):
        return status, reason
    return "error", f"interrupted while {status}"


def validation_status(result: JobResult) -> ValidationOutcome:
    """What a batch or suite result means: ``isolated``, ``conflict``, else ``error``."""
    if result.status == "isolated" or result.status == "conflict":
        return result.status
    return "error"


def reported_validation(status: ValidationProgress) -> ValidationStatus:
    """A batch or the suite as the report shows it; one that never ran is ``skipped``."""
    return status if is_validation_status(status) else "skipped"
