"""Read what one pytest process left in its outputs directory, for ``shared.status`` to judge.

Only IO and parsing live here: the plugin's ``collected.json`` and ``results.json``, the
JUnit XML, and the sandbox's outcome become one typed ``ProcessEvidence``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from services.runner.junit import JunitError, parse_junit
from services.runner.sandboxes.base import SandboxOutcome
from shared.files import MiB, UnsafeFileError, read_capped, tree_bytes
from shared.status import JunitCase, PluginResults, ProcessEvidence, ProcessVerdict, judge_process

RECORD_CAP = 32 * MiB
KEY_FILE = ".seamq-key"  # the plugin's one-time key (services/runner/plugin/seamq_order.py)
# Everything one process may leave in its outputs directory, all files together.
OUTPUTS_QUOTA = 256 * MiB


def read_evidence(seed: int, sandbox: SandboxOutcome, outputs: Path,
                  key: bytes | None = None) -> ProcessEvidence:
    """The sandbox's outcome plus the records in ``outputs`` (not read when the sandbox
    itself failed: that alone decides the verdict). With ``key``, a record must carry its
    MAC, or it was not written by seamq's plugin."""
    evidence = ProcessEvidence(seed=seed, exit_code=sandbox.exit_code,
                               duration_s=sandbox.duration_s, failure=sandbox.failure,
                               failure_reason=sandbox.reason)
    if sandbox.failure is not None:
        return evidence
    try:
        return _read(evidence, outputs, key)
    except UnsafeFileError as e:
        return ProcessEvidence(seed=seed, exit_code=sandbox.exit_code,
                               duration_s=sandbox.duration_s, failure="evidence",
                               failure_reason=f"evidence refused: {e}")


def _read(evidence: ProcessEvidence, outputs: Path, key: bytes | None) -> ProcessEvidence:
    """The records, each read with a cap, after the outputs' total passed its quota."""
    total = tree_bytes(outputs, OUTPUTS_QUOTA)
    if total > OUTPUTS_QUOTA:
        raise UnsafeFileError(f"the test process left over {total} bytes in its outputs, "
                              f"over the quota of {OUTPUTS_QUOTA}")
    junit: tuple[JunitCase, ...] | None = None
    junit_error = ""
    try:
        junit = tuple(parse_junit(outputs / "junit.xml"))
    except JunitError as e:
        junit_error = str(e)
    collected_doc = load_record(outputs / "collected.json", key)
    return ProcessEvidence(
        seed=evidence.seed, exit_code=evidence.exit_code, duration_s=evidence.duration_s,
        collected=_collected(collected_doc),
        seam_marks=_seam_marks(collected_doc),
        results=_results(load_record(outputs / "results.json", key)),
        junit=junit, junit_error=junit_error,
    )


def judge_outputs(seed: int, sandbox: SandboxOutcome, outputs: Path,
                  key: bytes | None = None) -> ProcessVerdict:
    """Read one process's evidence and judge it; the verdict keeps the sandbox's start time."""
    return replace(judge_process(read_evidence(seed, sandbox, outputs, key)),
                   start_s=sandbox.start_s)


def load_record(path: Path, key: bytes | None) -> dict[str, Any] | None:
    """A JSON record, None when absent or unreadable; ``UnsafeFileError`` when hostile or,
    with ``key``, not signed by seamq's plugin."""
    try:
        data = json.loads(read_capped(path, RECORD_CAP))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    mac = data.pop("mac", None)
    if key is not None:
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        expected = hmac.new(key, canonical, hashlib.sha256).hexdigest()
        if not isinstance(mac, str) or not hmac.compare_digest(mac, expected):
            raise UnsafeFileError(f"{path.name} was not written by seamq's plugin "
                                  "(its MAC does not check out): records forged")
    return data


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
