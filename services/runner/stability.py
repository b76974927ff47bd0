"""Combine the repeats of a job into a status: passed, failed, flaky or error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.runner.verdict import RepeatVerdict
from shared.contract import TestResult


@dataclass(frozen=True)
class Combined:
    status: str
    reason: str
    tests: tuple[TestResult, ...]


def _test_results(verdicts: Sequence[RepeatVerdict]) -> tuple[TestResult, ...]:
    names: dict[str, None] = {}
    for verdict in verdicts:
        names.update(dict.fromkeys(sorted(verdict.cases)))
    results = []
    for name in names:
        cases = [v.cases[name] for v in verdicts if name in v.cases]
        runs = tuple(c.outcome for c in cases)
        outcome = runs[0] if len(set(runs)) == 1 else "flaky"
        failing = next((c.message for c in cases if c.outcome in ("failed", "error")), "")
        results.append(
            TestResult(
                name=name,
                file=cases[0].file,
                line=cases[0].line,
                outcome=outcome,  # type: ignore[arg-type]
                runs=runs,  # type: ignore[arg-type]
                duration_s=round(sum(c.duration_s for c in cases) / len(cases), 4),
                message=failing,
            )
        )
    return tuple(results)


def combine(verdicts: Sequence[RepeatVerdict]) -> Combined:
    """Errors win; a test failing every time is ``failed``; differing outcomes are ``flaky``."""
    errors = [v for v in verdicts if v.outcome == "error"]
    tests = _test_results([v for v in verdicts if v.outcome != "error"])
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
        test = flaky[0]
        by_outcome: dict[str, list[int]] = {}
        for verdict in verdicts:
            case = verdict.cases.get(test.name)
            if case is not None:
                by_outcome.setdefault(case.outcome, []).append(verdict.seed)
        seeds = "; ".join(
            f"{o} with seed(s) {', '.join(map(str, s))}" for o, s in by_outcome.items()
        )
        return Combined("flaky", f"{test.name}: {seeds}", tests)
    if tests and all(t.outcome == "skipped" for t in tests):
        reason = f"all {len(tests)} test(s) were skipped: nothing was verified"
        return Combined("failed", reason, tests)
    return Combined("passed", "", tests)
