"""Read what one pytest process left in its outputs directory, for ``shared.status`` to judge.

Only IO and parsing live here: the plugin's ``collected.json`` and ``results.json``, the
JUnit XML, and the sandbox's outcome become one typed ``ProcessEvidence``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from services.runner.junit import JunitError, parse_junit
from services.runner.sandboxes.base import SandboxOutcome
from shared.status import JunitCase, PluginResults, ProcessEvidence, ProcessVerdict, judge_process


def read_evidence(seed: int, sandbox: SandboxOutcome, outputs: Path) -> ProcessEvidence:
    """The sandbox's outcome plus the records in ``outputs`` (not read when the sandbox
    itself failed: that alone decides the verdict)."""
    evidence = ProcessEvidence(seed=seed, exit_code=sandbox.exit_code,
                               duration_s=sandbox.duration_s, failure=sandbox.failure,
                               failure_reason=sandbox.reason)
    if sandbox.failure is not None:
        return evidence
    junit: tuple[JunitCase, ...] | None = None
    junit_error = ""
    try:
        junit = tuple(parse_junit(outputs / "junit.xml"))
    except JunitError as e:
        junit_error = str(e)
    collected_doc = _load(outputs / "collected.json")
    return ProcessEvidence(
        seed=seed, exit_code=sandbox.exit_code, duration_s=sandbox.duration_s,
        collected=_collected(collected_doc),
        seam_marks=_seam_marks(collected_doc),
        results=_results(_load(outputs / "results.json")),
        junit=junit, junit_error=junit_error,
    )


def judge_outputs(seed: int, sandbox: SandboxOutcome, outputs: Path) -> ProcessVerdict:
    """Read one process's evidence and judge it; the verdict keeps the sandbox's start time."""
    return replace(judge_process(read_evidence(seed, sandbox, outputs)), start_s=sandbox.start_s)


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _collected(doc: dict[str, Any] | None) -> tuple[str, ...] | None:
    # An empty or missing record means collection never finished.
    if not doc:
        return None
    return tuple(str(entry["nodeid"]) for entry in doc.get("collected", []))


def _seam_marks(doc: dict[str, Any] | None) -> dict[str, tuple[str, ...]]:
    entries = (doc or {}).get("collected", [])
    return {str(e["nodeid"]): tuple(str(s) for s in e.get("seams") or ())
            for e in entries if isinstance(e, dict) and e.get("seams")}


def _results(doc: dict[str, Any] | None) -> PluginResults | None:
    if doc is None:
        return None
    exitstatus = doc.get("exitstatus")
    outcomes = doc.get("outcomes") or {}
    return PluginResults(
        exitstatus=exitstatus if isinstance(exitstatus, int) else None,
        order=tuple(str(n) for n in doc.get("order", [])),
        outcomes={
            str(nodeid): str(entry.get("outcome", "")) if isinstance(entry, dict) else ""
            for nodeid, entry in outcomes.items()
        },
        tampered=tuple(str(t) for t in doc.get("tampered") or ()),
        collect_errors=tuple(str(e) for e in doc.get("collect_errors") or ()),
        ran=tuple(str(n) for n in doc["ran"]) if isinstance(doc.get("ran"), list) else None,
        python=str(doc.get("python") or "")[:40],
        pytest=str(doc.get("pytest") or "")[:40],
        overridden=tuple(
            (str(o.get("option", "")), str(o.get("why", "")))
            for o in doc.get("overridden") or () if isinstance(o, dict)
        ),
    )
