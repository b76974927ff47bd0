"""Seams that share one test file: which of its tests are whose, and each seam's verdict.

A test belongs to the seams its ``@pytest.mark.seam("ID")`` names; else to the one seam
whose title its class and name match best (two significant words, or all of a short
title); else to every seam of the file (the file's verdict counts for each). The file runs
once per proof; each seam is then judged on its own tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.contract import JobResult, TerminalStatus, TestResult

_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_INSIGNIFICANT = frozenset({"test", "tests", "integration", "and", "the", "for", "with",
                            "from", "into", "via", "seam", "when", "that", "this"})


def _words(text: str) -> set[str]:
    words = _WORD.findall(_CAMEL.sub(" ", text).replace("_", " ").lower())
    return {w.removesuffix("s") if len(w) > 3 else w
            for w in words if len(w) >= 3 and w not in _INSIGNIFICANT}


def _by_name(test: TestResult, titles: Mapping[str, str]) -> str | None:
    """The one seam whose title the test's class and function name match best."""
    name = test.name.split("::", 1)[-1].split("[", 1)[0]
    words = _words(name)
    scored = []
    for seam_id, title in titles.items():
        wanted = _words(title)
        common = len(words & wanted)
        if common >= 2 or (wanted and common == len(wanted)):
            scored.append((common, seam_id))
    scored.sort(reverse=True)
    if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    return None


def attribute(tests: Sequence[TestResult], titles: Mapping[str, str]
              ) -> dict[str, tuple[TestResult, ...]]:
    """Seam id -> its tests, for the seams (id -> title) that share one file."""
    owned: dict[str, list[TestResult]] = {seam_id: [] for seam_id in titles}
    for test in tests:
        marked = [s for s in test.seams if s in owned]
        owner = _by_name(test, titles) if not marked else None
        for seam_id in marked or ([owner] if owner else list(owned)):
            owned[seam_id].append(test)
    return {seam_id: tuple(found) for seam_id, found in owned.items()}


@dataclass(frozen=True)
class SeamVerdict:
    status: TerminalStatus
    reason: str
    tests: tuple[TestResult, ...]


def shared_verdict(result: JobResult, seam_id: str, titles: Mapping[str, str]
                   ) -> SeamVerdict:
    """One seam's verdict from a run of the file it shares with the seams in ``titles``."""
    if result.status in ("error", "missing"):
        return SeamVerdict(result.status, result.reason, result.tests)
    mine = attribute(result.tests, titles)[seam_id]
    others = ", ".join(s for s in titles if s != seam_id)
    if not mine:
        return SeamVerdict("missing", "no test of the shared file is this seam's (marked "
                           f"for it, or named after it); its tests are seam(s) {others}",
                           mine)
    failed = [t for t in mine if t.outcome in ("failed", "error")]
    flaky = [t for t in mine if t.outcome == "flaky"]
    if failed:
        return SeamVerdict("failed", f"{len(failed)} test(s) failed every time: "
                           f"{failed[0].name}", mine)
    if flaky:
        return SeamVerdict("flaky", f"{len(flaky)} test(s) flaky: {flaky[0].name}", mine)
    if all(t.outcome == "skipped" for t in mine):
        return SeamVerdict("failed", f"all {len(mine)} test(s) were skipped: nothing was "
                           "verified", mine)
    return SeamVerdict("passed", "", mine)
