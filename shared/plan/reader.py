"""The plan reader: ``TEST_PLAN.md`` -> ``TestPlan``, or a ``PlanError`` at ``PATH:LINE``.

The grammar is the one of DESIGN.md "The plan format". Scanning lives in ``plan_markdown``,
seam headings in ``plan_seams``, fields in ``plan_fields``, priorities in ``plan_priority``,
output files in ``plan_output`` and dependencies in ``plan_deps``; this module reads the
file, assembles the seams and checks the plan as a whole.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from pydantic import ValidationError

from shared.contract import OutputSource, PlanWarning, Seam, TestPlan
from shared.errors import PlanError
from shared.plan.dependencies import DependencyIndex, UnknownDependency, find_cycle
from shared.plan.headings import Draft, find_seams
from shared.plan.markdown import scan
from shared.plan.outputs import (
    assign_matches,
    body_path,
    convention_name,
    existing_tests,
    field_path,
    project_path,
)
from shared.plan.seam import SeamReading, read_seam

MAX_PLAN_BYTES = 10 * 1024 * 1024
MAX_SEAMS = 2_000


def read_plan(plan_path: Path, project_root: Path | None = None) -> TestPlan:
    """Read and check a plan; ``project_root`` defaults to the plan's directory.

    Raises ``PlanError(str(plan_path), line, message)`` for any plan that cannot be used.
    """
    where = str(plan_path)
    text = _read_text(plan_path)
    try:
        plan_file = plan_path.resolve()
        root = (project_root or plan_path.parent).resolve()
    except (OSError, RuntimeError) as e:
        raise PlanError(where, 1, f"cannot resolve the plan or project root: {e}") from e
    try:
        relative = plan_file.relative_to(root).as_posix()
    except ValueError as e:
        raise PlanError(where, 1, f"plan is outside the project root {root}") from e
    doc = scan(text)
    drafts = find_seams(doc)
    if not drafts:
        raise PlanError(where, 1, "no seam found (a seam starts at a level 2-4 heading such as "
                                  "'### SEAM 1: Title')")
    if len(drafts) > MAX_SEAMS:
        raise PlanError(where, drafts[MAX_SEAMS].line, f"more than {MAX_SEAMS} seams")
    warnings: list[PlanWarning] = []
    if doc.unclosed_fence is not None:
        warnings.append(PlanWarning(line=doc.unclosed_fence,
                                    message="code block is never closed; it runs to the end"))
    _check_ids(where, drafts)
    readings = [read_seam(draft, warnings) for draft in drafts]
    depends = _dependencies(where, drafts, readings)
    outputs = _outputs(where, drafts, readings, plan_file.parent, root, warnings)
    seams = [_seam(where, d, r, depends[d.id], outputs[d.id])
             for d, r in zip(drafts, readings, strict=True)]
    title = next((h.text for h in doc.headings if h.level == 1), "")
    try:
        return TestPlan(path=relative, title=title[:1000], seams=tuple(seams),
                        warnings=tuple(sorted(warnings, key=lambda w: w.line)))
    except ValidationError as e:
        raise PlanError(where, 1, f"plan cannot be represented: {e.errors()[0]['msg']}") from e


def _read_text(plan_path: Path) -> str:
    where = str(plan_path)
    try:
        mode = plan_path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise PlanError(where, 1, "is a directory, not a plan file")
        if not stat.S_ISREG(mode):
            raise PlanError(where, 1, "is not a regular file")
        with plan_path.open("rb") as handle:
            data = handle.read(MAX_PLAN_BYTES + 1)
    except FileNotFoundError as e:
        raise PlanError(where, 1, "plan file not found") from e
    except OSError as e:
        raise PlanError(where, 1, f"cannot read plan: {e.strerror or e}") from e
    if len(data) > MAX_PLAN_BYTES:
        raise PlanError(where, 1, f"plan is larger than {MAX_PLAN_BYTES} bytes")
    if b"\x00" in data:
        raise PlanError(where, 1, "binary file, not a Markdown plan")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise PlanError(where, line, f"not valid UTF-8 (byte 0x{data[e.start]:02x})") from e


def _check_ids(where: str, drafts: list[Draft]) -> None:
    seen: dict[str, Draft] = {}
    for draft in drafts:
        first = seen.setdefault(draft.id, draft)
        if first is not draft:
            raise PlanError(where, draft.line, f"duplicate seam id {draft.id!r}: "
                            f"{draft.title!r} repeats {first.title!r} (line {first.line})")


def _dependencies(
    where: str, drafts: list[Draft], readings: list[SeamReading]
) -> dict[str, tuple[str, ...]]:
    index = DependencyIndex({d.id: d.title for d in drafts})
    edges: dict[str, tuple[str, ...]] = {}
    for draft, reading in zip(drafts, readings, strict=True):
        try:
            edges[draft.id] = index.resolve(reading.depends_on)
        except UnknownDependency as e:
            raise PlanError(where, draft.line, f"seam {draft.id} depends on unknown seam "
                            f"{e.reference[:200]!r}") from e
    order = [d.id for d in drafts]
    cycle = find_cycle(order, edges)
    if cycle is not None:
        line = next(d.line for d in drafts if d.id == cycle[0])
        raise PlanError(where, line, f"dependency cycle: {' -> '.join(cycle)}")
    return edges


def _outputs(
    where: str,
    drafts: list[Draft],
    readings: list[SeamReading],
    plan_dir: Path,
    root: Path,
    warnings: list[PlanWarning],
) -> dict[str, tuple[str, OutputSource]]:
    found: dict[str, tuple[str, OutputSource]] = {}
    for draft, reading in zip(drafts, readings, strict=True):
        raw = field_path(reading.output) if reading.output else None
        if reading.output and raw is None:
            warnings.append(PlanWarning(line=reading.output_line, message=(
                f"seam {draft.id}: output file {reading.output[:80]!r} names no .py file")))
        source: OutputSource = "field" if raw else "body"
        raw = raw or body_path(draft.lines)
        if raw is not None:
            found[draft.id] = (_inside(where, draft, raw, plan_dir, root), source)
    claimed = {path for path, _ in found.values()}
    candidates = {name: path for name in existing_tests(plan_dir)
                  if (path := project_path(name, plan_dir, root)) and path not in claimed}
    matches = assign_matches({d.id: d.title for d in drafts if d.id not in found}, candidates)
    for draft in drafts:
        if draft.id in matches:
            found[draft.id] = (candidates[matches[draft.id]], "match")
        elif draft.id not in found:
            path = _inside(where, draft, convention_name(draft.title, draft.id), plan_dir, root)
            found[draft.id] = (path, "convention")
    owners: dict[str, Draft] = {}
    for draft in drafts:
        path = found[draft.id][0]
        first = owners.setdefault(path, draft)
        if first is not draft:
            raise PlanError(where, draft.line, f"duplicate output file {path}: seam {draft.id} "
                            f"({draft.title}) and seam {first.id} ({first.title})")
    return found


def _inside(where: str, draft: Draft, raw: str, plan_dir: Path, root: Path) -> str:
    path = project_path(raw, plan_dir, root)
    if path is None:
        raise PlanError(where, draft.line,
                        f"seam {draft.id}: output file {raw[:200]} is outside the project root")
    return path


def _seam(
    where: str, draft: Draft, reading: SeamReading, depends: tuple[str, ...],
    output: tuple[str, OutputSource],
) -> Seam:
    try:
        return Seam(
            id=draft.id, title=draft.title, line=draft.line, priority=reading.priority,
            deferred=draft.deferred, priority_source=reading.priority_source,
            section=draft.section, output_file=output[0], output_source=output[1],
            expected_tests=reading.expected_tests, depends_on=depends,
            services=reading.services, body=draft.body, scope=reading.scope,
            impact=reading.impact, strategy=reading.strategy,
            success_criteria=reading.success_criteria, risk=reading.risk, notes=reading.notes,
        )
    except ValidationError as e:
        raise PlanError(where, draft.line,
                        f"seam {draft.id} cannot be represented: {e.errors()[0]['msg']}") from e
