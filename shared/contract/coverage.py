"""Coverage in the contract: what a run asks for, what one seam measured, the run's merge.

A seam is measured in one of its N repeats (coverage.py, branch coverage) over its
component; each file says its statements and branches and which of them the seam's tests
did not reach, and carries the executed arcs the run's Cobertura report is built from.
A generated seam's measurement also carries its baseline: what the project's existing tests
of the same component cover, measured the same way, so the coordinator can tell whether the
attempt adds anything.
"""

from __future__ import annotations

from pydantic import Field

from shared.contract.base import Model, Name, RelPath
from shared.contract.statuses import PriorityName

Arc = tuple[int, int]


class CoverageSpec(Model):
    """``[tool.seamq.coverage]`` or ``--cov``: the default code to measure and the gate.

    ``source`` is used for seams that name no component; ``min_seam`` maps a priority to the
    lowest coverage (0..1, coverage.py's total: lines and branches) a seam may have.
    """

    enabled: bool = True
    source: tuple[RelPath, ...] = Field(default=(), max_length=50)
    min_seam: dict[PriorityName, float] = Field(default_factory=dict)


class FileCoverage(Model):
    """One component file as one seam (or the merged run) reached it."""

    path: RelPath
    statements: int = Field(default=0, ge=0)
    missing: tuple[int, ...] = Field(default=(), max_length=200_000)
    branches: int = Field(default=0, ge=0)
    missing_branches: tuple[Arc, ...] = Field(default=(), max_length=200_000)
    arcs: tuple[Arc, ...] = Field(default=(), max_length=200_000)  # executed, for Cobertura


class Rates(Model):
    """Covered fractions (0..1); None where there is nothing to cover."""

    lines: float | None = None
    branches: float | None = None
    total: float | None = None  # coverage.py's percentage: lines and branches together


class BaselineCoverage(Model):
    """What the existing tests of a generated seam's component cover (one measured process
    over ``tests``, without the generated file). ``measured`` False: they did not pass or
    could not be measured, and count as covering nothing; ``reason`` says which."""

    tests: tuple[RelPath, ...] = Field(default=(), max_length=200)
    measured: bool = False
    reason: Name = ""
    files: tuple[FileCoverage, ...] = Field(default=(), max_length=5_000)  # arcs left out
    rates: Rates = Rates()


class SeamCoverage(Model):
    """What one seam's measured repeat covered of its component, or why nothing was measured.

    ``refused``: data was measured but cannot be trusted (its digest did not check out,
    or the test stopped or replaced the measurement)."""

    measured: bool = False
    reason: Name = ""
    refused: bool = False
    component: tuple[RelPath, ...] = ()
    files: tuple[FileCoverage, ...] = Field(default=(), max_length=5_000)
    rates: Rates = Rates()
    baseline: BaselineCoverage | None = None  # for a generated seam with existing tests


class RunCoverage(Model):
    """The run's seams merged: a line is covered when any seam covered it."""

    files: tuple[FileCoverage, ...] = Field(default=(), max_length=5_000)
    rates: Rates = Rates()
    by_priority: dict[PriorityName, float] = Field(default_factory=dict)
