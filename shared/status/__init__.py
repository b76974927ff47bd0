"""The one place that decides statuses, pure functions only (no IO), read in this order:

1. ``evidence`` — what one pytest process left behind, already read and typed;
2. ``process``  — that process's verdict: ``passed``, ``failed`` or ``error``;
3. ``repeats``  — the repeats of a job combined: per-test results and the job's status;
4. ``seams``    — a seam's (and a batch's or the suite's) status from its jobs' results;
5. ``run``      — the run's status and its ``RunSummary``.

The statuses themselves are declared in ``shared.contract.statuses``.
"""

from shared.status.evidence import PYTEST_EXIT, JunitCase, PluginResults, ProcessEvidence
from shared.status.process import CaseResult, ProcessVerdict, judge_process
from shared.status.repeats import (
    Combined,
    Validated,
    always_failing,
    combine,
    confirm,
    is_flaky,
    judge_validation,
    overrides,
    per_test_results,
    repeat_runs,
    shown_outcome,
    suspects,
)
from shared.status.run import environment_cause, run_status, summarize
from shared.status.seams import (
    audit_rejection,
    reported_seam,
    reported_validation,
    seam_status,
    validation_status,
)
from shared.status.validation import BatchVerdict, batch_verdict

__all__ = [
    "PYTEST_EXIT",
    "BatchVerdict",
    "CaseResult",
    "Combined",
    "JunitCase",
    "PluginResults",
    "ProcessEvidence",
    "ProcessVerdict",
    "Validated",
    "always_failing",
    "audit_rejection",
    "batch_verdict",
    "combine",
    "confirm",
    "environment_cause",
    "is_flaky",
    "judge_process",
    "judge_validation",
    "overrides",
    "per_test_results",
    "repeat_runs",
    "reported_seam",
    "reported_validation",
    "run_status",
    "seam_status",
    "shown_outcome",
    "summarize",
    "suspects",
    "validation_status",
]
