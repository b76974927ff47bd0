"""Read and analyse the coverage one repeat measured, through the bounded evidence path.

The plugin's ``coverage`` entry comes from the signed ``results.json`` (``load_record``
checks its MAC); the data file is read capped and link-free into a private copy, opened
with coverage.py, and its digest must equal the signed one, else the measurement is
refused. Measured paths are made relative to the sandbox's project copy, kept to the seam's
component and analysed against the job's workspace (same sources) with coverage.py's JSON
report, so unexecuted component files count as uncovered.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from services.runner.evidence import RECORD_CAP, load_record
from shared.contract import FileCoverage, SeamCoverage
from shared.coverage import rates
from shared.files import UnsafeFileError, read_capped

MAX_FILES = 2_000


def cover_dirs(component: Sequence[str]) -> tuple[str, ...]:
    """The folders coverage.py measures for ``component`` (a file's own folder)."""
    dirs = [c if not c.endswith(".py") else (str(PurePosixPath(c).parent)) for c in component]
    return tuple(dict.fromkeys(dirs))


def not_measured(component: Sequence[str], reason: str, refused: bool = False) -> SeamCoverage:
    return SeamCoverage(measured=False, reason=reason[:1_000], refused=refused,
                        component=tuple(component))


def read_measurement(outputs: Path, key: bytes, workspace: Path, component: Sequence[str],
                     where: str) -> SeamCoverage:
    """The seam's coverage from one repeat's ``outputs``; ``where`` names the sandbox."""
    try:
        import coverage
    except ImportError:
        return not_measured(component, "coverage not measured: coverage.py missing on the runner")
    try:
        record = (load_record(outputs / "results.json", key) or {}).get("coverage")
    except UnsafeFileError as e:
        return not_measured(component, f"coverage refused: {e}", refused=True)
    if not isinstance(record, dict):
        return not_measured(component, "coverage not measured: the measured repeat left "
                            "no results")
    if record.get("problem"):
        problem = str(record["problem"])
        missing = "missing" in problem
        said = f"coverage.py missing {where}" if missing else problem
        return not_measured(component, f"coverage {'not measured' if missing else 'refused'}:"
                            f" {said}", refused=not missing)
    with tempfile.TemporaryDirectory(prefix="seamq-cov-") as tmp:
        try:
            copy = Path(tmp) / "measured.sqlite"
            copy.write_bytes(read_capped(outputs / str(record.get("file", "")), RECORD_CAP))
            data = coverage.CoverageData(basename=str(copy))
            data.read()
            measured = _digest(data)
        except (UnsafeFileError, OSError, coverage.CoverageException) as e:
            return not_measured(component, f"coverage refused: {e}", refused=True)
        if measured != record.get("digest"):
            return not_measured(component, "coverage refused: the data file does not match "
                                "the digest seamq's plugin signed", refused=True)
        arcs = _relative(data, str(record.get("root", "")))
        files = _analyse(coverage, arcs, workspace, component, Path(tmp))
    return SeamCoverage(measured=True, component=tuple(component), files=files,
                        rates=rates(files))


def _digest(data: Any) -> str:
    import hashlib

    body = [[name, sorted(data.arcs(name) or [])] for name in sorted(data.measured_files())]
    return hashlib.sha256(json.dumps(body, separators=(",", ":")).encode()).hexdigest()


def _relative(data: Any, root: str) -> dict[str, set[tuple[int, int]]]:
    """Executed arcs per project-relative path (files outside the copy dropped)."""
    arcs: dict[str, set[tuple[int, int]]] = {}
    prefix = root.rstrip("/") + "/"
    for name in data.measured_files():
        if root and name.startswith(prefix) and ".." not in name[len(prefix):].split("/"):
            arcs[name[len(prefix):]] = set(data.arcs(name) or ())
    return arcs


def component_files(workspace: Path, component: Sequence[str]) -> list[str]:
    """The component's Python files, project-relative (folders searched, links skipped)."""
    found: list[str] = []
    for item in component:
        path = workspace / item
        if path.is_file() and not path.is_symlink():
            found.append(item)
        elif path.is_dir():
            for folder, _, names in os.walk(path, followlinks=False):
                found += [os.path.relpath(os.path.join(folder, n), workspace)
                          for n in names if n.endswith(".py")]
    return sorted(dict.fromkeys(found))[:MAX_FILES]


def _analyse(coverage: Any, arcs: dict[str, set[tuple[int, int]]], workspace: Path,
             component: Sequence[str], tmp: Path) -> tuple[FileCoverage, ...]:
    """coverage.py's JSON report over the component's files, executed or not."""
    files = component_files(workspace, component)
    if not files:
        return ()
    data = coverage.CoverageData(basename=str(tmp / "analysis.sqlite"))
    data.add_arcs({str(workspace / f): arcs.get(f, set()) for f in files})
    data.write()
    cov = coverage.Coverage(data_file=str(tmp / "analysis.sqlite"), branch=True,
                            config_file=False)
    cov.load()
    out = tmp / "report.json"
    cov.json_report(morfs=[str(workspace / f) for f in files], outfile=str(out),
                    ignore_errors=True)
    report = json.loads(out.read_text())["files"]
    result = []
    for name, entry in report.items():
        absolute = Path(name) if os.path.isabs(name) else Path.cwd() / name
        rel = os.path.relpath(absolute, workspace)
        result.append(FileCoverage(
            path=rel, statements=entry["summary"]["num_statements"],
            missing=tuple(entry["missing_lines"]),
            branches=entry["summary"].get("num_branches", 0),
            missing_branches=tuple((a, b) for a, b in entry.get("missing_branches", ())),
            arcs=tuple(sorted(arcs.get(rel, ())))))
    return tuple(sorted(result, key=lambda f: f.path))
