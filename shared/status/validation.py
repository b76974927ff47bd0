"""Batch verdicts derived from the suite's validation processes.

The suite runs every passed file together in one random order and its reverse, so every
ordered pair of tests from different files meets once (G3). A batch needs no processes
of its own: it is ``isolated`` when none of its tests failed there, ``conflict`` when one
did (with the conflicts whose victim is its test), ``error`` when the suite could not
tell, ``skipped`` when it has no passed file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.contract import Conflict, JobResult, TestResult, ValidationStatus


@dataclass(frozen=True)
class BatchVerdict:
    status: ValidationStatus
    detail: str
    conflicts: tuple[Conflict, ...] = ()


def in_files(test: TestResult, files: Sequence[str]) -> bool:
    """Whether a test (by node id, relative to pytest's rootdir) lives in one of ``files``."""
    path = test.name.split("::", 1)[0]
    return any(f == path or f.endswith("/" + path) for f in files)


def batch_verdict(suite: JobResult, files: Sequence[str]) -> BatchVerdict:
    """What the suite's processes say about one batch, whose passed files are ``files``."""
    if not files:
        return BatchVerdict("skipped", "no passed file in this batch")
    if suite.status not in ("isolated", "conflict"):
        return BatchVerdict("error", f"suite validation: {suite.reason}")
    mine = [t for t in suite.tests if in_files(t, files)]
    bad = [t for t in mine if t.outcome in ("failed", "error", "flaky")]
    if not bad:
        return BatchVerdict("isolated", "its tests met every other selected file's tests in "
                                        "both orders in the suite's processes")
    names = {t.name for t in bad}
    conflicts = tuple(c for c in suite.conflicts if c.victim in names)
    shown = "; ".join(t.name for t in bad[:5])
    return BatchVerdict("conflict", f"{len(bad)} of its test(s) fail next to other tests: "
                                    f"{shown}", conflicts)
