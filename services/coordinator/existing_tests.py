"""Which existing tests a generated seam's attempts are compared with (the gain rule).

An attempt must cover some line or branch of its component that the project's existing
tests of that component do not (``coverage_gate.gain_rejection``). Those tests are the
output files of the plan's other seams whose component overlaps this seam's and which exist
in the project before generation (generated files live in the run, not in the project), and
under ``--regenerate`` the seam's own file as it stands in the project.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from shared.contract import CoverageSpec, RunRequest, Seam

MAX_FILES = 200


def component_of(seam: Seam, spec: CoverageSpec) -> tuple[str, ...]:
    """The code a seam's coverage is measured over (the runner decides the same way)."""
    return (seam.component or spec.source) if spec.enabled else ()


def overlaps(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two components share code: a path equal to, inside or around another."""
    def inside(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
        return x[:len(y)] == y

    parts_a = [PurePosixPath(p).parts for p in a]
    parts_b = [PurePosixPath(p).parts for p in b]
    return any(inside(x, y) or inside(y, x) for x in parts_a for y in parts_b)


def existing_tests(request: RunRequest, seam: Seam, project_dir: Path) -> tuple[str, ...]:
    """The project's test files for ``seam``'s component, in plan order; none when its
    coverage is not measured."""
    spec = request.execution.coverage
    mine = component_of(seam, spec)
    if not mine:
        return ()
    found: list[str] = []
    for other in request.parsed_plan.seams:
        if other.id == seam.id:
            wanted = request.generator.regenerate
        else:
            wanted = overlaps(mine, component_of(other, spec))
        path = other.output_file
        if wanted and path not in found and (project_dir / path).is_file():
            found.append(path)
    return tuple(found[:MAX_FILES])
