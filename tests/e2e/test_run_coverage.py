"""``seamq run`` with coverage, end to end in the local sandbox: per-seam and merged numbers,
the gate, report.md's column, report.json, coverage.xml read by a real Cobertura consumer,
the gate's finding in audit.sarif, and generated attempts kept only when they add coverage
over the existing tests."""

from __future__ import annotations

import json

import pytest

from tests.e2e.project import REPO, Project
from tests.integration.coverage.support import COMPONENT, HALF, OTHER_HALF

pytest.importorskip("coverage")
pytestmark = pytest.mark.slow

AGENT = REPO / "tests" / "fixtures" / "agents" / "covers_the_gaps.py"

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


def test_a_generated_attempt_that_adds_no_coverage_is_rejected_and_the_next_accepted(
    project: Project
) -> None:
    _project(project, "")
    (project.root / "tests" / "test_second_integration.py").unlink()

    result = project.run("--generator", f"command:{AGENT}", "--repeats", "1",
                         "--skip-validation")

    assert result.code == 0, result.stderr
    seam = result.seam("2")
    assert seam["status"] == "passed"
    assert seam["attempts"] == 2
    log = [(a["number"], a["phase"], a["status"]) for a in seam["attempt_log"]]
    assert log == [(1, "generate", "generated"), (1, "audit", "passed"),
                   (1, "execute", "rejected"), (2, "generate", "generated"),
                   (2, "audit", "passed"), (2, "execute", "passed")]
    assert seam["attempt_log"][2]["reason"].startswith(
        "adds no coverage over the existing tests (tests/test_first_integration.py already "
        "cover every line and branch it reaches: calc/ops.py:")
    assert seam["attempt_log"][2]["reason"].endswith("; uncovered: calc/ops.py:12-18")
    baseline = seam["coverage"]["baseline"]
    assert baseline["tests"] == ["tests/test_first_integration.py"]
    assert baseline["measured"] is True
    assert baseline["lines"] == pytest.approx(9 / 16, abs=1e-3)
    assert seam["coverage"]["files"][0]["missing"] == list(range(2, 9))
    assert ("- **Existing tests** compared with (`tests/test_first_integration.py`): cover 56 %"
            in (result.out / "report.md").read_text())
    generated = (result.out / "generated" / "tests" / "test_second_integration.py").read_text()
    assert "calc/ops.py:12-18" in generated  # the feedback named the lines
    assert "from calc.ops import second" in generated


def test_a_hand_written_seam_that_adds_no_coverage_is_not_rejected(project: Project) -> None:
    _project(project, "")
    project.write("tests/test_second_integration.py", HALF)

    result = project.run("--generator", f"command:{AGENT}", "--repeats", "1",
                         "--skip-validation")

    assert result.code == 0, result.stderr
    seam = result.seam("2")
    assert seam["status"] == "passed"
    assert seam["generated"] is False
    assert seam["coverage"]["baseline"] is None
