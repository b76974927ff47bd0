"""Coverage arithmetic every service shares: rates, merging seams, uncovered regions.

No coverage.py here: the numbers arrive in the contract's ``FileCoverage`` (the runner
measured them); a run merges its seams by taking, per file, what no seam reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shared.contract import (
    PRIORITY_NAMES,
    FileCoverage,
    PriorityName,
    Rates,
    RunCoverage,
    SeamReport,
)


def rates(files: Iterable[FileCoverage]) -> Rates:
    """Covered fractions over ``files``; ``total`` is coverage.py's (lines and branches)."""
    statements = missing = branches = missing_branches = 0
    for f in files:
        statements += f.statements
        missing += len(f.missing)
        branches += f.branches
        missing_branches += len(f.missing_branches)

    def fraction(done: int, of: int) -> float | None:
        return round(done / of, 4) if of else None

    return Rates(lines=fraction(statements - missing, statements),
                 branches=fraction(branches - missing_branches, branches),
                 total=fraction(statements - missing + branches - missing_branches,
                                statements + branches))


def merge(measurements: Iterable[Sequence[FileCoverage]]) -> tuple[FileCoverage, ...]:
    """Files of several seams together: a line or branch is missing when every seam that
    measured its file missed it; executed arcs are the union."""
    merged: dict[str, FileCoverage] = {}
    for files in measurements:
        for f in files:
            seen = merged.get(f.path)
            if seen is None:
                merged[f.path] = f
                continue
            merged[f.path] = FileCoverage(
                path=f.path, statements=max(seen.statements, f.statements),
                branches=max(seen.branches, f.branches),
                missing=tuple(sorted(set(seen.missing) & set(f.missing))),
                missing_branches=tuple(sorted(set(seen.missing_branches)
                                              & set(f.missing_branches))),
                arcs=tuple(sorted(set(seen.arcs) | set(f.arcs))))
    return tuple(merged[path] for path in sorted(merged))


def regions(lines: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive line numbers as ranges: 3, 4, 5, 9 -> (3, 5), (9, 9)."""
    ranges: list[tuple[int, int]] = []
    for line in sorted(set(lines)):
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], line)
        else:
            ranges.append((line, line))
    return ranges


def uncovered(files: Iterable[FileCoverage], limit: int = 20) -> str:
    """``inventory/store.py:12-18, 30; inventory/api.py:4`` (at most ``limit`` regions)."""
    parts: list[str] = []
    shown = 0
    for f in files:
        spans = regions(f.missing)
        if not spans:
            continue
        text = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans[:limit - shown])
        parts.append(f"{f.path}:{text}")
        shown += len(spans)
        if shown >= limit:
            parts.append("…")
            break
    return "; ".join(parts)


def percent(value: float | None) -> str:
    """``62 %``, or ``n/a`` when there was nothing to measure."""
    return "n/a" if value is None else f"{value * 100:.0f} %"


def run_coverage(seams: Sequence[SeamReport]) -> RunCoverage | None:
    """The run's seams merged, with a total per priority; None when no seam was measured."""
    measured = [s for s in seams if s.coverage is not None and s.coverage.measured]
    if not measured:
        return None
    files = merge(s.coverage.files for s in measured if s.coverage is not None)
    by_priority: dict[PriorityName, float] = {}
    for name in PRIORITY_NAMES:
        mine = [s.coverage.files for s in measured if s.priority == name and s.coverage]
        total = rates(merge(mine)).total if mine else None
        if total is not None:
            by_priority[name] = total
    return RunCoverage(files=files, rates=rates(files), by_priority=by_priority)
