"""Combine the repeats of a job: per-test results, and the job's status.

A seam job is ``passed``, ``failed``, ``flaky`` or ``error``; a validation job (several seams'
files together) is ``isolated``, ``conflict`` or ``error``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.contract import (
    Override,
    RepeatRun,
    RepeatsStatus,
    TestOutcome,
    TestResult,
    ValidationOutcome,
)
from shared.status.process import ProcessVerdict


@dataclass(frozen=True)
class Combined:
    status: RepeatsStatus
    reason: str
    tests: tuple[TestResult, ...]


@dataclass(frozen=True)
class Validated:
    status: ValidationOutcome
    reason: str
    tests: tuple[TestResult, ...]


def is_flaky(test: TestResult) -> bool:
    """True when a test is marked flaky, or both passed and failed across its repeats."""
    runs = set(test.runs)
    return test.outcome == "flaky" or ("passed" in runs and bool(runs & {"failed", "error"}))


def shown_outcome(test: TestResult) -> TestOutcome:
    """The outcome reports show: ``flaky`` whenever the repeats disagreed on a verdict."""
    return "flaky" if is_flaky(test) else test.outcome


def per_test_results(verdicts: Sequence[ProcessVerdict]) -> tuple[TestResult, ...]:
    """One result per test across the processes; differing outcomes make it ``flaky``."""
    names: dict[str, None] = {}
    for verdict in verdicts:
        names.update(dict.fromkeys(sorted(verdict.cases)))
    results = []
    for name in names:
        cases = [v.cases[name] for v in verdicts if name in v.cases]
        runs = tuple(c.outcome for c in cases)
        outcome: TestOutcome = runs[0] if len(set(runs)) == 1 else "flaky"
        failing = next((c.message for c in cases if c.outcome in ("failed", "error")), "")
        results.append(
            TestResult(
                name=name,
                file=cases[0].file,
                line=cases[0].line,
                outcome=outcome,
                runs=runs,
                duration_s=round(sum(c.duration_s for c in cases) / len(cases), 4),
                message=failing,
                seams=cases[0].seams,
            )
        )
    return tuple(results)


def combine(verdicts: Sequence[ProcessVerdict]) -> Combined:
    """Errors win; a test failing every time is ``failed``; differing outcomes are ``flaky``."""
    errors = [v for v in verdicts if v.outcome == "error"]
    tests = per_test_results([v for v in verdicts if v.outcome != "error"])
    if errors:
        first = errors[0]
        return Combined("error", f"{first.reason} (seed {first.seed})", tests)
    consistent = [t for t in tests if t.outcome in ("failed", "error")]
    flaky = [t for t in tests if t.outcome == "flaky"]
    if consistent:
        reason = f"{len(consistent)} test(s) failed in every repeat: {consistent[0].name}"
        if flaky:
            reason += f"; {len(flaky)} more flaky"
        return Combined("failed", reason, tests)
    if flaky:
        return Combined("flaky", _flaky_reason(flaky[0].name, verdicts), tests)
    if tests and all(t.outcome == "skipped" for t in tests):
        reason = f"all {len(tests)} test(s) were skipped: nothing was verified"
        return Combined("failed", reason, tests)
    return Combined("passed", "", tests)


def _flaky_reason(name: str, verdicts: Sequence[ProcessVerdict]) -> str:
    """Which seeds gave which outcome, so the flake can be replayed."""
    by_outcome: dict[str, list[int]] = {}
    for verdict in verdicts:
        case = verdict.cases.get(name)
        if case is not None:
            by_outcome.setdefault(case.outcome, []).append(verdict.seed)
    seeds = "; ".join(f"{o} with seed(s) {', '.join(map(str, s))}" for o, s in by_outcome.items())
    runs = sum(len(s) for s in by_outcome.values())
    return f"{name}: passed {len(by_outcome.get('passed', []))} of {runs} runs; {seeds}"


def judge_validation(verdicts: Sequence[ProcessVerdict]) -> Validated:
    """Several seams' files run together: any failure there is a conflict between them."""
    combined = combine(verdicts)
    if combined.status == "passed":
        return Validated("isolated", "", combined.tests)
    if combined.status == "error":
        return Validated("error", combined.reason, combined.tests)
    bad = [t for t in combined.tests if t.outcome != "passed" and t.outcome != "skipped"]
    failing = next((v for v in verdicts if v.outcome == "failed"), verdicts[0])
    reason = (f"{len(bad)} test(s) fail when run together in random order "
              f"(seed {failing.seed}): " + "; ".join(suspects(t.name, verdicts) for t in bad[:5]))
    return Validated("conflict", reason, combined.tests)


def suspects(victim: str, verdicts: Sequence[ProcessVerdict]) -> str:
    """Name the tests that ran before ``victim`` whenever it failed and never when it passed."""
    before_fail: set[str] | None = None
    before_pass: set[str] = set()
    for verdict in verdicts:
        case = verdict.cases.get(victim)
        if case is None or victim not in verdict.order:
            continue
        before = set(verdict.order[: verdict.order.index(victim)])
        if case.outcome in ("failed", "error"):
            before_fail = before if before_fail is None else before_fail & before
        else:
            before_pass |= before
    found = sorted((before_fail or set()) - before_pass)
    if not found or len(found) > 3:
        return victim
    return f"{victim} fails after {', '.join(found)}"


def repeat_runs(verdicts: Sequence[ProcessVerdict]) -> tuple[RepeatRun, ...]:
    """The processes of a job as the contract reports them."""
    return tuple(
        RepeatRun(
            seed=v.seed,
            exit_code=v.exit_code,
            outcome=v.outcome,
            reason=v.reason,
            collected=len(v.collected),
            duration_s=round(v.duration_s, 3),
            start_s=round(v.start_s, 3),
            order=v.order[:500],
            ran=v.ran[:500],
        )
        for v in verdicts
    )


def overrides(verdicts: Sequence[ProcessVerdict]) -> tuple[Override, ...]:
    """Every option seamq took out of the processes' command lines, once each."""
    seen: dict[str, str] = {}
    for verdict in verdicts:
        for option, why in verdict.overridden:
            seen.setdefault(option, why)
    return tuple(Override(option=o, why=w) for o, w in seen.items())


def always_failing(combined: Combined) -> list[str]:
    """Tests that failed in every repeat: to be confirmed alone before they are "failed"."""
    return [t.name for t in combined.tests if t.outcome in ("failed", "error")]


def confirm(verdicts: Sequence[ProcessVerdict], alone: Sequence[ProcessVerdict]) -> Combined:
    """The repeats plus each always-failing test's runs alone: one pass makes it flaky.

    A confirming process that errored proves nothing either way and is left out.
    """
    judged = [v for v in alone if v.outcome != "error"]
    combined = combine([*verdicts, *judged])
    if combined.status == "failed" and judged:
        reason = combined.reason.replace(
            "failed in every repeat", f"failed every time, {len(judged)} run(s) alone included")
        return Combined(combined.status, reason, combined.tests)
    return combined
