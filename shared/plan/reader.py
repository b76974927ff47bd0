"""The plan reader: ``TEST_PLAN.md`` -> ``TestPlan``, or a ``PlanError`` at ``PATH:LINE``.

The grammar is in docs/architecture.md, "The plan". Scanning lives in ``markdown``, seam
headings in ``headings``, one seam's fields in ``seam`` and ``fields``, priorities in
``priority``, output files in ``outputs`` and dependencies in ``dependencies``; this module
reads the file, assembles the seams and checks the plan as a whole.
"""

from __future__ import annotations

import codecs
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from shared.contract import OutputSource, PlanWarning, Seam, TestPlan
from shared.errors import PlanError
from shared.files import UnsafeFileError, read_capped
from shared.plan.components import field_components, scope_components
from shared.plan.dependencies import DependencyIndex, UnknownDependency, find_cycle
from shared.plan.file_lists import listed_files
from shared.plan.headings import Draft, find_seams
from shared.plan.markdown import Document, scan
from shared.plan.matching import assign, read_candidate, sibling_claims
from shared.plan.outputs import (
    convention_name,
    existing_tests,
    field_path,
    project_path,
    resolve_named,
)
from shared.plan.seam import SeamReading, read_seam

MAX_PLAN_BYTES = 10 * 1024 * 1024
MAX_SEAMS = 2_000
MIN_MATCH_SCORE = 0.2


@dataclass(frozen=True)
class Places:
    """Where the plan is, the folder it lives in, and the project root."""

    plan_file: Path
    plan_dir: Path
    root: Path


@dataclass(frozen=True)
class Output:
    """A seam's test file (relative to the project root), how and why it was chosen."""

    path: str
    source: OutputSource
    reason: str


def read_plan(plan_path: Path, project_root: Path | None = None) -> TestPlan:
    """Read and check a plan; ``project_root`` defaults to the plan's directory.

    Raises ``PlanError(str(plan_path), line, message)`` for any plan that cannot be used.
    """
    return _parse(_read_text(plan_path), str(plan_path), plan_path, project_root)


def read_plan_text(text: str, project_root: Path, name: str = "TEST_PLAN.md",
                   where: str = "plan_text") -> TestPlan:
    """Read a plan sent as text, as if it were the file ``name`` at the project root
    (output files are found from there); errors are ``WHERE:LINE: message``."""
    data = text.encode("utf-8", "replace")
    if len(data) > MAX_PLAN_BYTES:
        raise PlanError(where, 1, f"plan is larger than {MAX_PLAN_BYTES} bytes")
    if "\x00" in text:
        raise PlanError(where, 1, "binary text, not a Markdown plan")
    return _parse(text.removeprefix("\ufeff"), where, project_root / name, project_root)


def _parse(text: str, where: str, plan_path: Path, project_root: Path | None) -> TestPlan:
    """The one reading of a plan's text located at ``plan_path``."""
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
    places = Places(plan_file, plan_file.parent, root)
    outputs = _outputs(where, doc, drafts, readings, places, warnings)
    seams = [_seam(where, d, r, depends[d.id], outputs[d.id], _component(where, d, r, root))
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
        mode = plan_path.lstat().st_mode
        if stat.S_ISDIR(mode):
            raise PlanError(where, 1, "is a directory, not a plan file")
        if stat.S_ISLNK(mode):
            raise PlanError(where, 1, "is a symbolic link; name the plan file itself")
        if not stat.S_ISREG(mode):
            raise PlanError(where, 1, "is not a regular file")
        data = read_capped(plan_path, MAX_PLAN_BYTES)
    except UnsafeFileError as e:
        # Swapped between the check and the open, or grown past the cap.
        if "over the cap" in str(e):
            raise PlanError(where, 1, f"plan is larger than {MAX_PLAN_BYTES} bytes") from e
        raise PlanError(where, 1, "is not a regular file") from e
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
    doc: Document,
    drafts: list[Draft],
    readings: list[SeamReading],
    places: Places,
    warnings: list[PlanWarning],
) -> dict[str, Output]:
    """Each seam's test file: its field, a plan-level file list, a matching file, convention."""
    found: dict[str, Output] = {}
    listed = listed_files(doc, {d.id: d.title for d in drafts})
    for draft, reading in zip(drafts, readings, strict=True):
        raw = field_path(reading.output) if reading.output else None
        if reading.output and raw is None:
            warnings.append(PlanWarning(line=reading.output_line, message=(
                f"seam {draft.id}: output file {reading.output[:80]!r} names no .py file")))
        if raw is not None:
            found[draft.id] = _named(where, draft, raw, places, "field",
                                     f"its output file field (line {reading.output_line})")
        elif draft.id in listed:
            entry = listed[draft.id]
            found[draft.id] = _named(where, draft, entry.path, places, "body",
                                     f"the plan's file list (line {entry.line})")
    found |= _matched(drafts, readings, places, found)
    for draft in drafts:
        if draft.id not in found:
            path = _inside(where, draft, convention_name(draft.title, draft.id), places.plan_dir,
                           places.root)
            found[draft.id] = Output(path, "convention", "no file named or matched: by "
                                     "convention, beside the plan")
    _notice_shared(where, drafts, found, warnings)
    return found


def _named(where: str, draft: Draft, raw: str, places: Places, source: OutputSource,
           said: str) -> Output:
    path, base = resolve_named(raw, places.plan_dir, places.root)
    if path is None:
        raise PlanError(where, draft.line,
                        f"seam {draft.id}: output file {raw[:200]} is outside the project root")
    return Output(path, source, f"{said}, relative to {base}")


def _matched(drafts: list[Draft], readings: list[SeamReading], places: Places,
             done: Mapping[str, Output]) -> dict[str, Output]:
    claimed = {o.path for o in done.values()}
    theirs = sibling_claims(places.plan_file)
    candidates = {
        name: read_candidate(places.plan_dir / name)
        for name in existing_tests(places.plan_dir)
        if name not in theirs
        and (path := project_path(name, places.plan_dir, places.root)) and path not in claimed
    }
    unresolved = {d.id: (d.title, r.scope) for d, r in zip(drafts, readings, strict=True)
                  if d.id not in done}
    matches = assign(unresolved, candidates, MIN_MATCH_SCORE)
    return {
        seam_id: Output(str(project_path(m.name, places.plan_dir, places.root)), "match",
                        f"existing file: {m.how}")
        for seam_id, m in matches.items()
    }


def _notice_shared(where: str, drafts: list[Draft], found: dict[str, Output],
                   warnings: list[PlanWarning]) -> None:
    """Seams the plan puts in one file is a notice: real plans do it on purpose. Two seams
    that only the naming convention put together would overwrite each other's tests."""
    owners: dict[str, list[Draft]] = {}
    for draft in drafts:
        owners.setdefault(found[draft.id].path, []).append(draft)
    for path, sharing in owners.items():
        by_convention = [d for d in sharing if found[d.id].source == "convention"]
        if len(sharing) > 1 and by_convention:
            first, second = sharing[0], by_convention[-1]
            raise PlanError(where, second.line, (
                f"duplicate output file {path}: seam {second.id} ({second.title}) and seam "
                f"{first.id} ({first.title}); name one of them with an Output File field"))
        if len(sharing) > 1:
            ids = ", ".join(d.id for d in sharing)
            warnings.append(PlanWarning(line=sharing[1].line, message=(
                f"seams {ids} share {path}: its tests are attributed by "
                "@pytest.mark.seam, class or name, else the file counts for each")))


def _inside(where: str, draft: Draft, raw: str, plan_dir: Path, root: Path) -> str:
    path = project_path(raw, plan_dir, root)
    if path is None:
        raise PlanError(where, draft.line,
                        f"seam {draft.id}: output file {raw[:200]} is outside the project root")
    return path


def _component(where: str, draft: Draft, reading: SeamReading, root: Path) -> tuple[str, ...]:
    """The seam's ``Component`` field (unknown names are an error), else its scope's modules."""
    if not reading.component:
        return scope_components(reading.scope, root)
    found, unknown = field_components(reading.component, root)
    if unknown:
        raise PlanError(where, reading.component_line, f"seam {draft.id}: component "
                        f"{unknown[0][:200]!r} is not a module or path in the project {root}")
    return found


def _seam(
    where: str, draft: Draft, reading: SeamReading, depends: tuple[str, ...], output: Output,
    component: tuple[str, ...] = (),
) -> Seam:
    try:
        return Seam(
            id=draft.id, title=draft.title, line=draft.line, priority=reading.priority,
            deferred=draft.deferred, priority_source=reading.priority_source,
            section=draft.section, output_file=output.path, output_source=output.source,
            output_reason=output.reason,
            expected_tests=reading.expected_tests, depends_on=depends,
            services=reading.services, component=component, body=draft.body,
            scope=reading.scope,
            impact=reading.impact, strategy=reading.strategy,
            success_criteria=reading.success_criteria, risk=reading.risk, notes=reading.notes,
        )
    except ValidationError as e:
        raise PlanError(where, draft.line,
                        f"seam {draft.id} cannot be represented: {e.errors()[0]['msg']}") from e
