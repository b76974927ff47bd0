"""``[tool.seamq.coverage]`` in the project's pyproject.toml and ``--cov SRC``, read strictly.

``source`` (or ``--cov``, which replaces it) names the modules, packages or project paths
measured for seams whose plan names no component; ``min_seam`` is the gate, one fraction
for every priority or a table per priority (``{ P0 = 0.8, P1 = 0.6 }``); ``enabled = false``
turns measuring off. A name not found in the project is a usage error (exit 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from services.cli.project_config import _seamq_table, _Table
from shared.contract import PRIORITY_NAMES, CoverageSpec, PriorityName
from shared.errors import UsageError
from shared.plan.components import resolve

COVERAGE_KEYS = ("source", "min_seam", "enabled")


def load_coverage(project: Path, cov: Sequence[str] = ()) -> CoverageSpec:
    """The run's coverage settings; ``cov`` (``--cov``, repeatable) replaces ``source``."""
    pyproject = project / "pyproject.toml"
    body = _seamq_table(pyproject).get("coverage", {}) if pyproject.is_file() else {}
    table = _Table.checked(pyproject, "tool.seamq.coverage", body, COVERAGE_KEYS)
    body = table.body
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise table.error("enabled", "expected true or false")
    names, where = (tuple(cov), "--cov") if cov else (
        table.strings("source"), f"{pyproject}: [tool.seamq.coverage] source")
    source = tuple(_source(project, name, where) for name in names)
    return CoverageSpec(enabled=enabled, source=source, min_seam=_minimum(table))


def _source(project: Path, name: str, where: str) -> str:
    path = resolve(name, project)
    if path is None:
        raise UsageError(f"{where}: {name!r} is not a module, package or path in the "
                         f"project {project}")
    return path


def _minimum(table: _Table) -> dict[PriorityName, float]:
    value = table.body.get("min_seam")
    if value is None:
        return {}
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(PRIORITY_NAMES))
        if unknown:
            raise table.error(f"min_seam.{unknown[0]}", "unknown priority (P0, P1, P2 or P3)")
        return {name: _fraction(table, f"min_seam.{name}", value[name])
                for name in PRIORITY_NAMES if name in value}
    fraction = _fraction(table, "min_seam", value)
    return dict.fromkeys(PRIORITY_NAMES, fraction)


def _fraction(table: _Table, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise table.error(key, "expected a fraction from 0 to 1 (0.6 is 60 %), or a table "
                          "per priority ({ P0 = 0.8, P1 = 0.6 })")
    return float(value)
