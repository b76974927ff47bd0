"""``seamq run`` with generators: only assured generated tests count."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.project import REPO, Project

pytestmark = pytest.mark.slow

AGENTS = REPO / "tests" / "fixtures" / "agents"


def test_generated_test_passes_only_after_feedback_and_repeats(project: Project) -> None:
    project.plan(("1", "P0", "test_cart_integration.py"))

    result = project.run("--generator", f"command:{AGENTS / 'fix_with_feedback.py'}",
                         "--repeats", "2")

    assert result.code == 0, result.stderr
    seam = result.seam("1")
    assert seam["status"] == "passed"
    assert seam["generated"] is True
    assert seam["attempts"] == 2
    assert [a["phase"] for a in seam["attempt_log"]] == [
        "generate", "audit", "execute", "generate", "audit", "execute"]
    assert seam["tests"][0]["runs"] == ["passed", "passed"]
    generated = (result.out / "generated" / "tests" / "test_cart_integration.py").read_text()
    assert "# feedback:" in generated
    assert "assert 1 + 1 == 3" in generated  # the failure message reached the agent
    assert not (project.root / "tests" / "test_cart_integration.py").exists()


def test_write_back_puts_the_passed_file_into_the_project(project: Project) -> None:
    project.plan(("1", "P0", "test_cart_integration.py"))

    result = project.run("--generator", f"command:{AGENTS / 'fix_with_feedback.py'}",
                         "--repeats", "1", "--write-back")

    assert result.code == 0, result.stderr
    assert (project.root / "tests" / "test_cart_integration.py").is_file()


def test_policy_breaking_generator_is_rejected_after_k_attempts(project: Project) -> None:
    project.plan(("1", "P0", "test_checkout_integration.py"))

    result = project.run("--generator", f"command:{AGENTS / 'breaks_policy.py'}",
                         "--max-attempts", "2")

    assert result.code == 1, result.stderr
    seam = result.seam("1")
    assert seam["status"] == "rejected"
    assert seam["attempts"] == 2
    assert any(f["rule"] == "mock-usage" for f in seam["findings"])
    assert [a["phase"] for a in seam["attempt_log"]] == ["generate", "audit"] * 2


def test_hanging_generator_is_a_failed_attempt_with_the_timeout(project: Project) -> None:
    project.plan(("1", "P0", "test_slow_integration.py"))

    result = project.run("--generator", f"command:{AGENTS / 'hangs.py'}",
                         "--max-attempts", "1", "--timeout", "2")

    assert result.code == 1, result.stderr
    seam = result.seam("1")
    assert seam["status"] == "error"
    assert "timed out" in seam["reason"]


def test_generator_writing_outside_its_file_fails_the_attempt(project: Project) -> None:
    project.plan(("1", "P0", "test_sneaky_integration.py"))

    result = project.run("--generator", f"command:{AGENTS / 'writes_outside.py'}",
                         "--max-attempts", "1")

    assert result.code == 1, result.stderr
    assert "wrote outside its output file" in result.seam("1")["reason"]


def test_scaffold_generator_ends_rejected_scaffold_only(project: Project, tmp_path: Path) -> None:
    project.write("tests/conftest.py", '''
        import pytest


        @pytest.fixture
        def cart():
            return []
        ''')
    project.plan(("1", "P0", "test_cart_integration.py"))

    result = project.run("--generator", "scaffold")

    assert result.code == 1, result.stderr
    seam = result.seam("1")
    assert seam["status"] == "rejected"
    assert seam["reason"] == "scaffold only"
    scaffold = (result.out / "generated" / "tests" / "test_cart_integration.py").read_text()
    assert "def test_" in scaffold
    assert "cart" in scaffold


def test_a_brief_template_overrides_what_the_generator_reads(project: Project) -> None:
    project.plan(("1", "P0", "test_cart_integration.py"))
    template = project.write("brief.md", "Custom brief for $seam_title -> $output_file\n")

    result = project.run("--generator", f"command:{AGENTS / 'fix_with_feedback.py'}",
                         "--repeats", "1", "--brief-template", str(template))

    assert result.code == 0, result.stderr
    generated = (result.out / "generated" / "tests" / "test_cart_integration.py").read_text()
    assert "# brief: Custom brief for Demo seam 1 -> " in generated
