"""Judge one pytest process from its evidence, never from its exit status alone.

Anything missing or inconsistent between the plugin's records, the JUnit XML and the exit
status is an ``error`` with a reason — never ``passed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.contract import Outcome, ProcessOutcome
from shared.status.evidence import PYTEST_EXIT, JunitCase, PluginResults, ProcessEvidence


@dataclass(frozen=True)
class CaseResult:
    """One test in one process (``line`` is 1-based, as people count)."""

    nodeid: str
    file: str
    line: int
    outcome: Outcome
    duration_s: float
    message: str
    seams: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcessVerdict:
    """The judged outcome of one process: ``passed``, ``failed`` or ``error``."""

    seed: int
    outcome: ProcessOutcome
    reason: str = ""
    exit_code: int | None = None
    cases: dict[str, CaseResult] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    collected: tuple[str, ...] = ()
    duration_s: float = 0.0
    infrastructure: bool = False
    ran: tuple[str, ...] = ()
    overridden: tuple[tuple[str, str], ...] = ()
    versions: tuple[str, str] = ("", "")  # (python, pytest) inside the sandbox
    start_s: float = 0.0
    """Time the sandbox took to start the process (recorded as seamq_sandbox_start_seconds)."""


def judge_process(evidence: ProcessEvidence) -> ProcessVerdict:
    """Cross-check the plugin's records, the JUnit XML and the exit status."""
    ev = evidence
    if ev.failure is not None:
        return _error(ev, ev.failure_reason or ev.failure,
                      infrastructure=ev.failure == "infrastructure")
    if ev.results is None:
        stage = "after collection" if ev.collected is not None else "before collection finished"
        return _error(ev, f"no results: the test process ended {stage} "
                          f"(exit status {ev.exit_code})")
    collected = ev.collected or ()
    problem = _records_problem(ev.results, ev.exit_code, collected)
    if problem:
        return _error(ev, problem)
    if ev.junit is None:
        return _error(ev, f"no results: {ev.junit_error}", collected=collected)
    junit = {case.nodeid: case for case in ev.junit}
    problem = (_agreement_problem(collected, junit, ev.results.outcomes)
               or _order_problem(ev.results))
    if problem:
        return _error(ev, problem, collected=collected)
    cases = {nodeid: _case(junit[nodeid], ev.seam_marks.get(nodeid, ())) for nodeid in collected}
    bad = [c for c in cases.values() if c.outcome in ("failed", "error")]
    if (ev.exit_code == 0) == bool(bad):
        return _error(ev, f"results do not match the exit status: {len(bad)} failing test(s), "
                          f"exit status {ev.exit_code}", collected=collected)
    return ProcessVerdict(
        seed=ev.seed,
        outcome="failed" if bad else "passed",
        reason=f"{len(bad)} of {len(cases)} test(s) failed" if bad else "",
        exit_code=ev.exit_code,
        cases=cases,
        order=ev.results.order,
        collected=collected,
        duration_s=ev.duration_s,
        ran=ev.results.ran or (),
        overridden=ev.results.overridden,
        versions=(ev.results.python, ev.results.pytest),
    )


def _records_problem(results: PluginResults, code: int | None,
                     collected: tuple[str, ...]) -> str:
    """What makes the plugin's own records unusable, before looking at single tests."""
    if results.tampered:
        return f"verdict tampering detected: {'; '.join(results.tampered)}"
    if results.collect_errors:
        lines = results.collect_errors[0].strip().splitlines()
        return f"collection error: {lines[-1] if lines else 'unknown'}"
    if code != results.exitstatus:
        return (f"results do not match the exit status: pytest reported {results.exitstatus} "
                f"but the process exited {code}")
    if code is not None and code in (2, 3, 4):
        return f"pytest exit status {code}: {PYTEST_EXIT[code]}"
    if code == 5 or not collected:
        return "no tests collected"
    return ""


def _agreement_problem(collected: tuple[str, ...], junit: Mapping[str, JunitCase],
                       recorded: Mapping[str, str]) -> str:
    """Every collected test has one result in both records, and the two agree."""
    missing = [n for n in collected if n not in junit or n not in recorded]
    unexpected = [n for n in junit if n not in set(collected)]
    if missing or unexpected:
        return ("results do not match collection: "
                f"{len(missing)} collected without a result, {len(unexpected)} unexpected"
                f" (first: {(missing or unexpected)[0]})")
    disagree = [n for n in collected if junit[n].outcome != recorded[n]]
    if disagree:
        first = disagree[0]
        return (f"results disagree for {first}: JUnit says {junit[first].outcome}, "
                f"the run recorded {recorded[first]}")
    return ""


def _order_problem(results: PluginResults) -> str:
    """The tests must have run, one process, in exactly the order seamq chose."""
    if results.ran is None or list(results.ran) == list(results.order):
        return ""
    ran, order = results.ran, results.order
    if not ran:
        detail = "no test ran in this process (are tests run by other workers?)"
    elif len(ran) != len(order):
        detail = f"{len(ran)} test(s) ran, {len(order)} were ordered"
    else:
        first = next(i for i, (a, b) in enumerate(zip(ran, order, strict=True)) if a != b)
        detail = f"position {first + 1} ran {ran[first]}, seamq ordered {order[first]}"
    return f"test order not under seamq's control: {detail}"


def _case(case: JunitCase, seams: tuple[str, ...]) -> CaseResult:
    return CaseResult(nodeid=case.nodeid, file=case.file, line=case.line + 1,
                      outcome=case.outcome, duration_s=case.duration_s, message=case.message,
                      seams=seams)


def _error(ev: ProcessEvidence, reason: str, *, collected: tuple[str, ...] = (),
           infrastructure: bool = False) -> ProcessVerdict:
    versions = (ev.results.python, ev.results.pytest) if ev.results else ("", "")
    return ProcessVerdict(seed=ev.seed, outcome="error", reason=reason, exit_code=ev.exit_code,
                          collected=collected, duration_s=ev.duration_s,
                          infrastructure=infrastructure, versions=versions)
