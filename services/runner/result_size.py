"""Results that always fit a broker message.

A seam with thousands of failing tests once made a 21 MB result that the coordinator could
not decode, and its run waited forever. A result is bounded by design here, before it is
published: every test message is cut to ``MESSAGE_CHARS`` with a marker, and when the whole
result would still exceed ``RESULT_BUDGET`` (far below the 16 MiB message limit, so that a run
report holding several seams still fits), the details go in stages, each named in the
result's reason: per-process orders, then long messages, then the messages of passing and
later failing tests. The status, the counts and every test's name and outcome are kept.
"""

from __future__ import annotations

from shared.contract import JobResult, TestResult, encode

MiB = 1024 * 1024
RESULT_BUDGET = 2 * MiB
MESSAGE_CHARS = 2_000
SHORT_CHARS = 200
KEPT_MESSAGES = 50


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a marker saying how much was cut."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… [seamq: {len(text) - limit} more characters truncated]"


def _messages(result: JobResult, limit: int, keep: int | None = None) -> JobResult:
    tests: list[TestResult] = []
    kept = 0
    for test in result.tests:
        message = truncate(test.message, limit)
        if keep is not None and message:
            kept += test.outcome != "passed"
            if test.outcome == "passed" or kept > keep:
                message = ""
        tests.append(test.model_copy(update={"message": message}))
    return result.model_copy(update={"tests": tuple(tests)})


def _without_orders(result: JobResult) -> JobResult:
    return result.model_copy(update={
        name: tuple(r.model_copy(update={"order": (), "ran": ()}) for r in getattr(result, name))
        for name in ("repeats", "confirmations")
    })


STAGES = (
    ("per-process test orders dropped", _without_orders),
    (f"test messages cut to {SHORT_CHARS} characters", lambda r: _messages(r, SHORT_CHARS)),
    (f"messages kept for the first {KEPT_MESSAGES} failing tests only",
     lambda r: _messages(r, SHORT_CHARS, KEPT_MESSAGES)),
    ("the output tail dropped", lambda r: r.model_copy(update={"logs_tail": ""})),
)


def fit_result(result: JobResult, budget: int = RESULT_BUDGET) -> JobResult:
    """``result`` with messages cut and, if it is still over ``budget`` bytes encoded,
    details trimmed stage by stage; an ``error`` result if even that is not enough."""
    fitted = _messages(result, MESSAGE_CHARS)
    notes: list[str] = []
    for note, stage in STAGES:
        size = len(encode(fitted))
        if size <= budget:
            break
        fitted = stage(fitted)
        notes.append(note)
    size = len(encode(fitted))
    if size > budget:
        return JobResult(
            job_id=result.job_id, run_id=result.run_id, kind=result.kind, phase=result.phase,
            seam_id=result.seam_id, batch_index=result.batch_index, attempt=result.attempt,
            status="error", reason=f"the result ({size} bytes even trimmed) does not fit the "
            f"{budget}-byte budget of a broker message; {len(result.tests)} test(s) ran",
            collected=result.collected[:1000], sandbox=result.sandbox, worker=result.worker,
            duration_s=result.duration_s,
        )
    if not notes:
        return fitted
    note = f"[details trimmed to fit a broker message: {'; '.join(notes)}]"
    reason = f"{fitted.reason} {note}" if fitted.reason else note
    return fitted.model_copy(update={"reason": reason})
