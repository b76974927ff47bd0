"""The run's status and its summary, from the seams' reports and the validation results."""

from __future__ import annotations

import re
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

_SEED = re.compile(r"\s*\(seed \d+\)$")
_MISSING_MODULE = re.compile(r"(?:ModuleNotFoundError|ImportError): No module named '([^']+)'")


# Errors that come from where the tests ran, not from the tests: the same for every seam.
_ENVIRONMENTAL = re.compile(
    r"image .* not found|No such image|No such file or directory|exit status 127|"
    r"not found in the image|interpreter|cannot run python|before collection finished",
    re.IGNORECASE)


def _cause(reason: str) -> str:
    """A seam's error reason reduced to what would be the same for every seam it hit;
    ``""`` when the error is the tests' own (a timeout, a forged verdict …)."""
    first = _SEED.sub("", reason.strip().splitlines()[0] if reason.strip() else "")
    missing = _MISSING_MODULE.search(reason)
    if missing:
        return (f"the sandbox cannot import {missing.group(1).split('.')[0]!r}: install the "
                "project's dependencies in the test image (or use --sandbox local)")
    return first if _ENVIRONMENTAL.search(reason) else ""


def environment_cause(seams: Sequence[SeamReport]) -> str:
    """The one cause for which every evaluated seam errored, or ``""``.

    Seams that never ran (missing, rejected) are not evaluated. When every seam that ran
    errored the same way (a module the tests import is missing in the sandbox, the image
    is absent, the interpreter is unusable), the run is an environment problem: exit 3.
    """
    evaluated = [s for s in seams if s.status not in ("missing", "rejected")]
    if not evaluated or any(s.status != "error" for s in evaluated):
        return ""
    causes = {_cause(s.reason) for s in evaluated}
    return causes.pop() if len(causes) == 1 else ""  # "" when no cause, or several


def run_status(
    seams: Sequence[SeamReport],
    *,
    interrupted: bool,
    validations: Iterable[ValidationProgress],
    count_ok: bool,
    infrastructure: Collection[str] = (),
) -> RunStatus:
    """``passed`` only when every seam passed, nothing conflicted and the counts match.

    An ``error`` seam makes the run ``error`` (exit 3) when it was the infrastructure's
    fault (``infrastructure`` names those seams) or when every evaluated seam errored for
    one environmental cause; otherwise the run ``failed`` (exit 1).
    """
    if interrupted:
        return "interrupted"
    if environment_cause(seams):
        return "error"
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
