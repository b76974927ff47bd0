"""``seamq run`` with coverage, end to end in the local sandbox: per-seam and merged numbers,
the gate, report.md's column, report.json, coverage.xml read by a real Cobertura consumer,
and the gate's finding in audit.sarif."""

from __future__ import annotations

import json

import pytest

from tests.e2e.project import Project
from tests.integration.coverage.support import COMPONENT, HALF, OTHER_HALF

pytest.importorskip("coverage")
pytestmark = pytest.mark.slow

PLAN = """# Calc plan

### SEAM 1: First half
- **Priority**: P0
- **Component**: calc.ops
- **Output File**: `tests/test_first_integration.py`

### SEAM 2: Second half
- **Priority**: P1
- **Component**: `calc/ops.py`
- **Output File**: `tests/test_second_integration.py`
"""


def _project(project: Project, gate: str) -> None:
    project.write("calc/__init__.py", "")
    project.write("calc/ops.py", COMPONENT)
    project.write("tests/test_first_integration.py", HALF)
    project.write("tests/test_second_integration.py", OTHER_HALF)
    project.write("tests/TEST_PLAN.md", PLAN)
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"\n[tool.seamq.coverage]\n{gate}\n")


def test_per_seam_and_merged_coverage_and_the_gate(project: Project) -> None:
    _project(project, "min_seam = { P0 = 0.8, P1 = 0.4 }")

    result = project.run("--repeats", "2", "--skip-validation")

    first, second = result.seam("1"), result.seam("2")
    assert first["status"] == "rejected", result.stderr
    assert "coverage 56 % of calc/ops.py is under the minimum 80 % (P0)" in first["reason"]
    assert "not covered: calc/ops.py:12-18" in first["reason"]
    assert first["coverage"]["lines"] == pytest.approx(9 / 16, abs=1e-3)
    assert second["status"] == "passed"
    merged = result.report["coverage"]
    assert merged["lines"] == 1.0
    assert merged["by_priority"] == {"P0": pytest.approx(0.5625), "P1": pytest.approx(0.5625)}
    markdown = (result.out / "report.md").read_text()
    assert "| Coverage |" in markdown
    assert "## Coverage" in markdown
    sarif = json.loads((result.out / "audit.sarif").read_text())
    located = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
               for run in sarif["runs"] for r in run["results"]]
    assert ("coverage-min", "calc/ops.py") in located


def test_coverage_xml_is_cobertura_a_consumer_reads(project: Project) -> None:
    pycobertura = pytest.importorskip("pycobertura")
    _project(project, "")

    result = project.run("--repeats", "1", "--skip-validation")

    assert result.code == 0, result.stderr
    cobertura = pycobertura.Cobertura(str(result.out / "coverage.xml"))
    assert cobertura.files() == ["calc/ops.py"]
    assert cobertura.line_rate("calc/ops.py") == 1.0
    assert cobertura.missed_lines("calc/ops.py") == []
