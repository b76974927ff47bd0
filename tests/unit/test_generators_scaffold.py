"""The offline scaffold: a skeleton that follows the plan and fails on purpose."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from services.runner.generators.scaffold import FAIL_MESSAGE, ScaffoldGenerator
from shared.contract import ExecutionSpec, GeneratorSpec, Priority, ProjectSource, Seam, SeamJob

OUTPUT = "tests/test_cart_integration.py"
CONFTEST = (
    "import pytest\n\n@pytest.fixture\ndef db():\n    return 'db'\n\n"
    "@pytest.fixture(name='client')\ndef _client():\n    return 'client'\n"
)


def make_job(**fields: object) -> SeamJob:
    seam_fields: dict[str, object] = {
        "id": "cart", "title": "Cart → Pricing engine", "line": 12, "priority": Priority.P0,
        "scope": "Cart service calls the pricing engine",
        "impact": "Wrong totals lose revenue",
        "strategy": "- add items\n- apply a discount",
        "success_criteria": "1. Total equals the sum of line prices\n2. Discount applied once",
        "output_file": OUTPUT,
    }
    seam_fields.update(fields)
    return SeamJob(
        job_id="job-1", run_id="run-1", seam=Seam.model_validate(seam_fields),
        phase="generate", project=ProjectSource(path="."), plan_path="TEST_PLAN.md",
        execution=ExecutionSpec(), generator=GeneratorSpec(kind="scaffold"),
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text(CONFTEST)
    return tmp_path


def scaffold(workspace: Path, job: SeamJob | None = None) -> tuple[str, ast.Module]:
    outcome = ScaffoldGenerator().generate(job or make_job(), workspace, workspace / OUTPUT, "")
    assert outcome.ok
    assert outcome.scaffold
    assert outcome.reason == "scaffold only"
    assert outcome.content == (workspace / OUTPUT).read_text()
    return outcome.content, ast.parse(outcome.content)


def test_the_scaffold_is_a_test_class_with_one_test_per_success_criterion(
    workspace: Path,
) -> None:
    _, tree = scaffold(workspace)

    (cls,) = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    methods = [node for node in cls.body if isinstance(node, ast.FunctionDef)]
    assert cls.name == "TestCartPricingEngineIntegration"
    assert [m.name for m in methods] == [
        "test_total_equals_the_sum_of_line_prices", "test_discount_applied_once",
    ]
    assert all([a.arg for a in m.args.args] == ["self", "db", "client"] for m in methods)


def test_the_scaffold_carries_the_plan_in_its_docstrings(workspace: Path) -> None:
    _, tree = scaffold(workspace)

    cls = next(node for node in tree.body if isinstance(node, ast.ClassDef))
    class_doc = ast.get_docstring(cls) or ""
    assert "seam cart" in (ast.get_docstring(tree) or "")
    for line in ("Scope: Cart service calls the pricing engine",
                 "Impact: Wrong totals lose revenue",
                 "Strategy:\n    - add items\n    - apply a discount",
                 "Success criteria:\n    1. Total equals the sum of line prices\n"):
        assert line in class_doc
    method = next(node for node in cls.body if isinstance(node, ast.FunctionDef))
    method_doc = ast.get_docstring(method) or ""
    assert method_doc.startswith("Total equals the sum of line prices\n")
    assert "Strategy: add items; apply a discount" in method_doc


def test_every_scaffold_test_fails_on_purpose(workspace: Path) -> None:
    content, _ = scaffold(workspace)

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", OUTPUT],
        cwd=workspace, capture_output=True, text=True, check=False, timeout=60,
    )

    assert content.count(f'pytest.fail("{FAIL_MESSAGE}")') == 2
    assert result.returncode == 1
    assert "2 failed" in result.stdout


def test_without_criteria_the_scaffold_follows_the_strategy_bullets(workspace: Path) -> None:
    _, tree = scaffold(workspace, make_job(success_criteria=""))

    names = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    assert names == ["test_add_items", "test_apply_a_discount"]


def test_a_seam_with_nothing_stated_still_gets_one_failing_test(workspace: Path) -> None:
    _, tree = scaffold(workspace, make_job(success_criteria="", strategy="", title="42"))

    names = [n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef | ast.FunctionDef)]
    assert names == ["TestSeam42Integration", "test_42_works_end_to_end"]


def test_quotes_and_backslashes_in_the_plan_keep_the_scaffold_valid(workspace: Path) -> None:
    job = make_job(scope='Parses "C:\\data\\"""', success_criteria='- says "hi"\n- says "hi"')

    _, tree = scaffold(workspace, job)

    names = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    assert names == ["test_says_hi", "test_says_hi_2"]
    cls = next(node for node in tree.body if isinstance(node, ast.ClassDef))
    assert 'Scope: Parses "C:\\data\\"""' in (ast.get_docstring(cls) or "")
