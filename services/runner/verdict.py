"""Judge one pytest process from evidence, never from its exit status alone.

Three records must agree: what seamq's plugin saw collected and run, the JUnit XML that
pytest wrote, and the process exit status. Anything missing or inconsistent is an
``error`` with a reason — never ``passed``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.runner.junit import JunitError, parse_junit
from services.runner.sandboxes.base import SandboxOutcome

PYTEST_EXIT = {
    0: "all tests passed",
    1: "some tests failed",
    2: "interrupted or collection errors",
    3: "pytest internal error",
    4: "pytest usage error",
    5: "no tests collected",
}


@dataclass(frozen=True)
class CaseResult:
    nodeid: str
    file: str
    line: int
    outcome: str
    duration_s: float
    message: str


@dataclass(frozen=True)
class RepeatVerdict:
    """The judged outcome of one process: ``passed``, ``failed`` or ``error``."""

    seed: int
    outcome: str
    reason: str = ""
    exit_code: int | None = None
    cases: dict[str, CaseResult] = field(default_factory=dict)
    order: tuple[str, ...] = ()
    collected: tuple[str, ...] = ()
    duration_s: float = 0.0
    infrastructure: bool = False


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _error(seed: int, reason: str, sandbox: SandboxOutcome, **kw: Any) -> RepeatVerdict:
    return RepeatVerdict(
        seed=seed,
        outcome="error",
        reason=reason,
        exit_code=sandbox.exit_code,
        duration_s=sandbox.duration_s,
        **kw,
    )


def judge(seed: int, sandbox: SandboxOutcome, outputs: Path) -> RepeatVerdict:
    """Cross-check the plugin's records, the JUnit XML and the exit status."""
    if sandbox.failure is not None:
        return _error(
            seed,
            sandbox.reason or sandbox.failure,
            sandbox,
            infrastructure=sandbox.failure == "infrastructure",
        )
    collected_doc = _load(outputs / "collected.json")
    results = _load(outputs / "results.json")
    code = sandbox.exit_code
    if results is None:
        stage = "after collection" if collected_doc else "before collection finished"
        return _error(
            seed, f"no results: the test process ended {stage} (exit status {code})", sandbox
        )
    if results.get("tampered"):
        tampered = "; ".join(results["tampered"])
        return _error(seed, f"verdict tampering detected: {tampered}", sandbox)
    if results.get("collect_errors"):
        first = str(results["collect_errors"][0]).strip().splitlines()
        detail = first[-1] if first else "unknown"
        return _error(seed, f"collection error: {detail}", sandbox)
    if code != results.get("exitstatus"):
        return _error(
            seed,
            f"results do not match the exit status: pytest reported "
            f"{results.get('exitstatus')} but the process exited {code}",
            sandbox,
        )
    if code in (2, 3, 4):
        return _error(seed, f"pytest exit status {code}: {PYTEST_EXIT[code]}", sandbox)
    collected = [str(entry["nodeid"]) for entry in (collected_doc or {}).get("collected", [])]
    order = tuple(str(n) for n in results.get("order", []))
    if code == 5 or not collected:
        return _error(seed, "no tests collected", sandbox)
    try:
        junit = {case.nodeid: case for case in parse_junit(outputs / "junit.xml")}
    except JunitError as e:
        return _error(seed, f"no results: {e}", sandbox, collected=tuple(collected))
    plugin_outcomes: dict[str, Any] = results.get("outcomes", {})
    missing = [n for n in collected if n not in junit or n not in plugin_outcomes]
    unexpected = [n for n in junit if n not in set(collected)]
    if missing or unexpected:
        return _error(
            seed,
            "results do not match collection: "
            f"{len(missing)} collected without a result, {len(unexpected)} unexpected"
            + (f" (first: {(missing or unexpected)[0]})" if missing or unexpected else ""),
            sandbox,
            collected=tuple(collected),
        )
    disagree = [n for n in collected if junit[n].outcome != plugin_outcomes[n]["outcome"]]
    if disagree:
        return _error(
            seed,
            f"results disagree for {disagree[0]}: JUnit says {junit[disagree[0]].outcome}, "
            f"the run recorded {plugin_outcomes[disagree[0]]['outcome']}",
            sandbox,
            collected=tuple(collected),
        )
    cases = {
        n: CaseResult(
            nodeid=n,
            file=junit[n].file,
            line=junit[n].line + 1,
            outcome=junit[n].outcome,
            duration_s=junit[n].duration_s,
            message=junit[n].message,
        )
        for n in collected
    }
    bad = [c for c in cases.values() if c.outcome in ("failed", "error")]
    if (code == 0) == bool(bad):
        return _error(
            seed,
            f"results do not match the exit status: {len(bad)} failing test(s), exit status {code}",
            sandbox,
            collected=tuple(collected),
        )
    return RepeatVerdict(
        seed=seed,
        outcome="failed" if bad else "passed",
        reason=f"{len(bad)} of {len(cases)} test(s) failed" if bad else "",
        exit_code=code,
        cases=cases,
        order=order,
        collected=tuple(collected),
        duration_s=sandbox.duration_s,
    )
