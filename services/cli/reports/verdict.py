"""What a run came to, in words for a person: the verdict with its reasons in one paragraph,
and for each problem the next step to take. ``report.md`` opens with both."""

from __future__ import annotations

from collections.abc import Sequence

from services.cli.reports.summary import one_line
from shared.contract import Conflict, RunReport, SeamReport

STATUS_WORDS = {"passed": "Passed", "failed": "Failed", "error": "Error",
                "interrupted": "Interrupted"}


def _names(ids: Sequence[str]) -> str:
    """``seam 1``, ``seams 1 and 2``, ``seams 1, 2 and 3``."""
    if len(ids) == 1:
        return f"seam {ids[0]}"
    return f"seams {', '.join(ids[:-1])} and {ids[-1]}"


def _seam_reasons(report: RunReport) -> list[str]:
    reasons = []
    for status in ("failed", "flaky", "rejected", "missing", "error"):
        ids = [s.id for s in report.seams if s.status == status]
        if ids:
            verb = {"failed": "failed", "flaky": "is flaky" if len(ids) == 1 else "are flaky",
                    "rejected": "was rejected by the audit" if len(ids) == 1
                    else "were rejected by the audit",
                    "missing": "has no test file" if len(ids) == 1 else "have no test file",
                    "error": "could not be judged (error)"}[status]
            reasons.append(f"{_names(ids)} {verb}")
    return reasons


def _validation_reasons(report: RunReport) -> list[str]:
    reasons = []
    for batch in report.batches:
        if batch.status == "conflict":
            reasons.append(f"the tests of {_names(list(batch.seams))} conflict when run "
                           "together (details below)")
        elif batch.status == "error":
            reasons.append(f"running {_names(list(batch.seams))} together failed to run")
    if report.suite.status == "conflict":
        reasons.append("the whole suite's tests conflict when run together (details below)")
    elif report.suite.status == "error":
        reasons.append("running the whole suite together failed to run")
    check = report.suite.count_check
    if check is not None and not check.ok:
        reasons.append(f"the counts differ from the plan ({one_line(check.detail, 300)})")
    return reasons


def verdict(report: RunReport) -> str:
    """One paragraph: the run's status and why, e.g. "Failed: every seam passed, but the
    tests of seams 1 and 3 conflict when run together (details below)."."""
    word = STATUS_WORDS.get(report.status, report.status.capitalize())
    total = len(report.seams)
    passed = sum(s.status == "passed" for s in report.seams)
    if report.status == "interrupted":
        return (f"{word}: the run was stopped before it finished; {passed} of {total} seams "
                "had passed. This report is partial.")
    reasons = _seam_reasons(report) + _validation_reasons(report)
    if report.cause:
        reasons.insert(0, f"the environment kept every seam from running: {report.cause}")
    if not reasons:
        together = ("and their tests ran together without a conflict"
                    if report.suite.status == "isolated" else
                    f"(validation together: {report.suite.status})")
        return (f"{word}: all {total} seams passed in every random-order repeat, "
                f"{together}.")
    opening = "every seam passed, but " if passed == total else \
        f"{passed} of {total} seams passed; "
    return f"{word}: {opening}{'; '.join(reasons)}."


def seam_next_step(seam: SeamReport) -> str:
    """What to do about one seam that did not pass."""
    steps = {
        "failed": f"fix the test or the code it tests in `{seam.file}`; the failure is "
                  "under the seam below",
        "flaky": "its tests passed in some runs and failed in others: replay the orders of "
                 f"seeds {', '.join(map(str, _failing_seeds(seam))) or '(see below)'} and "
                 "remove the shared state or timing they depend on",
        "rejected": f"address the blocking audit findings in `{seam.file}` (listed under the "
                    "seam below), then run again",
        "missing": f"write `{seam.file}`, or let a generator write it (`--generator`)",
        "error": f"the cause: {one_line(seam.reason, 300) or 'see the logs tail below'}",
    }
    return steps.get(seam.status, "")


def _failing_seeds(seam: SeamReport) -> list[int]:
    return [r.seed for r in seam.repeats if r.outcome != "passed"] or list(seam.seeds)


def conflict_step(conflicts: Sequence[Conflict]) -> str:
    commands = [c.reproduce for c in conflicts if c.reproduce]
    if commands:
        return (f"reproduce it from the project root with `{commands[0]}`, then make the "
                "polluting test clean up after itself")
    return "make the tests independent of the order they run in (the evidence is below)"


def next_steps(report: RunReport) -> list[str]:
    """One line per problem, in the order the verdict names them."""
    steps = [f"Seam {s.id} ({s.status}): {seam_next_step(s)}."
             for s in report.seams if s.status != "passed"]
    for index, batch in enumerate(report.batches, 1):
        if batch.status == "conflict":
            steps.append(f"Batch {index} (conflict): {conflict_step(batch.conflicts)}.")
        elif batch.status == "error":
            steps.append(f"Batch {index} (error): {one_line(batch.detail, 300)}.")
    if report.suite.status == "conflict":
        steps.append(f"Suite (conflict): {conflict_step(report.suite.conflicts)}.")
    check = report.suite.count_check
    if check is not None and not check.ok:
        steps.append("Count check: make the plan's expected test counts match the files, or "
                     "add the missing tests.")
    if report.cause:
        steps.insert(0, f"Environment: {report.cause}: fix the sandbox image or environment "
                        "first; no test could be judged.")
    return steps
