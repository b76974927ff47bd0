"""Conflicts as report.md shows them: who pollutes whom, the evidence, the victim's own
failure and a command that reproduces it."""

from __future__ import annotations

from collections.abc import Sequence

from services.cli.reports.cells import cell, code
from services.cli.reports.summary import one_line
from shared.contract import Conflict


def conflict_lines(conflicts: Sequence[Conflict]) -> list[str]:
    """Each conflict: who pollutes whom, the evidence, the victim's failure, a command."""
    lines: list[str] = []
    for c in conflicts:
        if c.proven:
            lines.append(f"- {code(c.polluters[0])} pollutes {code(c.victim)}")
        else:
            lines.append(f"- {code(c.victim)} fails after other tests")
        seed = f" (seed {c.seed})" if c.seed is not None else ""
        lines.append(f"  - evidence{seed}: {cell(c.evidence, 1_000)}")
        if c.message:
            lines.append(f"  - its failure: {cell(one_line(c.message, 400))}")
        if c.reproduce:
            lines.append(f"  - reproduce, from the project root: {code(c.reproduce)}")
    return [*lines, ""] if lines else []
