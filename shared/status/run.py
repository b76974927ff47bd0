"""The run's status and its summary, from the seams' reports and the validation results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence

from shared.contract import (
    TERMINAL_STATUSES,
    TEST_OUTCOMES,
    RunStatus,
    RunSummary,
    SeamReport,
    ValidationProgress,
)
from shared.status.repeats import shown_outcome


def run_status(
    seams: Sequence[SeamReport],
    *,
    interrupted: bool,
    validations: Iterable[ValidationProgress],
    count_ok: bool,
    infrastructure: Collection[str] = (),
) -> RunStatus:
    """``passed`` only when every seam passed, nothing conflicted and the counts match.

    An ``error`` seam makes the run ``error`` (exit 3) only when it was the infrastructure's
    fault (``infrastructure`` names those seams); otherwise the run ``failed`` (exit 1).
    """
    if interrupted:
        return "interrupted"
    statuses = {s.status for s in seams}
    validation = set(validations)
    if statuses - {"passed", "error"} or not count_ok or "conflict" in validation:
        return "failed"
    if "error" in statuses:
        infra = any(s.id in infrastructure for s in seams if s.status == "error")
        return "error" if infra else "failed"
    if "error" in validation:
        return "error"
    return "passed"


def summarize(seams: Iterable[SeamReport], duration_s: float | None = None) -> RunSummary:
    """Seams by status, tests by outcome (``flaky`` when repeats disagreed), and duration.

    ``duration_s`` defaults to the sum of the seams' durations; callers that know the
    run's wall-clock time pass it instead.
    """
    seams = tuple(seams)
    by_status = Counter(seam.status for seam in seams)
    by_outcome = Counter(shown_outcome(test) for seam in seams for test in seam.tests)
    if duration_s is None:
        duration_s = sum(seam.duration_s for seam in seams)
    return RunSummary(
        seams={status: by_status[status] for status in TERMINAL_STATUSES},
        tests={outcome: by_outcome[outcome] for outcome in TEST_OUTCOMES},
        duration_s=round(duration_s, 3),
    )
