"""Which code a seam is about: the ``Component`` field, the scope fallback, the run default."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from services.cli.coverage_config import load_coverage
from shared.errors import PlanError, UsageError
from shared.plan.reader import read_plan


def _project(tmp_path: Path) -> Path:
    for rel in ("inventory/__init__.py", "inventory/store.py", "inventory/api.py",
                "src/app/__init__.py", "src/app/core.py"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    return tmp_path


def _plan(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "TEST_PLAN.md"
    path.write_text("# Plan\n\n## P0\n\n### SEAM 1: Store writes\n" + textwrap.dedent(body))
    return path


@pytest.mark.parametrize(("field", "expected"), [
    ("inventory.store", ("inventory/store.py",)),
    ("`inventory`", ("inventory",)),
    ("inventory/api.py, inventory.store", ("inventory/api.py", "inventory/store.py")),
    ("app.core (the domain)", ("src/app/core.py",)),
    ("src/app", ("src/app",)),
])
def test_the_component_field_names_modules_packages_and_paths(
    tmp_path: Path, field: str, expected: tuple[str, ...]
) -> None:
    plan = _plan(_project(tmp_path), f"- **Component**: {field}\n")

    assert read_plan(plan, tmp_path).seams[0].component == expected


def test_an_unknown_component_is_a_plan_error_at_its_line(tmp_path: Path) -> None:
    plan = _plan(_project(tmp_path), "- **Scope**: the store\n- **Component**: inventory.nope\n")

    with pytest.raises(PlanError) as caught:
        read_plan(plan, tmp_path)

    assert caught.value.exit_code == 4
    assert caught.value.line == 7
    assert "component 'inventory.nope' is not a module or path" in str(caught.value)


def test_the_scope_counts_only_for_names_that_are_modules_or_paths(tmp_path: Path) -> None:
    plan = _plan(_project(tmp_path), "- **Integration Scope**: Store and API handlers over "
                 "`inventory.store`, inventory/api.py and billing.ledger (not here)\n")

    assert read_plan(plan, tmp_path).seams[0].component == ("inventory/store.py",
                                                            "inventory/api.py")


def test_a_seam_that_names_no_code_has_no_component(tmp_path: Path) -> None:
    plan = _plan(_project(tmp_path), "- **Integration Scope**: inventory service, store\n")

    assert read_plan(plan, tmp_path).seams[0].component == ()


def _pyproject(tmp_path: Path, table: str) -> Path:
    (_project(tmp_path) / "pyproject.toml").write_text("[tool.seamq.coverage]\n" + table)
    return tmp_path


def test_the_run_default_comes_from_pyproject_or_cov(tmp_path: Path) -> None:
    root = _pyproject(tmp_path, 'source = ["inventory"]\nmin_seam = { P0 = 0.8, P1 = 0.6 }\n')

    spec = load_coverage(root)
    assert spec.source == ("inventory",)
    assert spec.min_seam == {"P0": 0.8, "P1": 0.6}
    assert load_coverage(root, ["app"]).source == ("src/app",)


def test_one_minimum_applies_to_every_priority(tmp_path: Path) -> None:
    spec = load_coverage(_pyproject(tmp_path, "min_seam = 0.6\n"))

    assert spec.min_seam == {"P0": 0.6, "P1": 0.6, "P2": 0.6, "P3": 0.6}


@pytest.mark.parametrize(("table", "cov", "said"), [
    ('source = ["nope"]\n', [], "[tool.seamq.coverage] source: 'nope' is not a module"),
    ("", ["nope.mod"], "--cov: 'nope.mod' is not a module"),
    ("min_seam = 60\n", [], "min_seam: expected a fraction from 0 to 1"),
    ("min_seam = { P9 = 0.5 }\n", [], "min_seam.P9: unknown priority"),
    ("sources = []\n", [], "sources: unknown key"),
])
def test_coverage_settings_mistakes_are_usage_errors(
    tmp_path: Path, table: str, cov: list[str], said: str
) -> None:
    root = _pyproject(tmp_path, table)

    with pytest.raises(UsageError) as caught:
        load_coverage(root, cov)

    assert caught.value.exit_code == 4
    assert said in str(caught.value)
