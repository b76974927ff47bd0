"""The audit as a gate in ``seamq run`` and as ``seamq audit`` on the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.project import REPO, Project

pytestmark = pytest.mark.slow


def test_a_mocking_test_is_rejected_before_any_runner_and_its_findings_are_reported(
    project: Project,
) -> None:
    project.write("tests/test_pay_integration.py", '''
        """Seam 1: checkout -> payments."""
        from unittest import mock


        def test_charges_the_card():
            """Scope: payments. Success: the card is charged."""
            gateway = mock.Mock()
            gateway.charge.return_value = True
            assert gateway.charge(10) is True
        ''')
    project.plan(("1", "P0", "test_pay_integration.py"))

    result = project.run()

    assert result.code == 1, result.stderr
    seam = result.seam("1")
    assert seam["status"] == "rejected"
    assert seam["tests"] == []
    assert [a["phase"] for a in seam["attempt_log"]] == ["audit"]
    rules = {f["rule"] for f in seam["findings"]}
    assert "mock-usage" in rules
    assert "mock-usage" in (result.out / "report.md").read_text()
    sarif = json.loads((result.out / "audit.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert any(r["ruleId"] == "mock-usage" for r in results)


def test_seamq_audit_on_the_example_tests_finds_no_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "audit", "examples/inventory/tests",
         "--format", "json"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )

    assert proc.returncode == 0, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [f for f in findings if f["severity"] == "error"] == []


def test_seamq_audit_with_an_unknown_rule_in_the_policy_is_a_usage_error(project: Project) -> None:
    project.write("tests/test_x_integration.py", '"""X."""\n\n\ndef test_x():\n    """X."""\n'
                  "    assert len('ab') == 2\n")
    policy = project.write("policy.toml", '[rules]\nno-such-rule = "error"\n')

    proc = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "audit", str(project.root / "tests"),
         "--policy", str(policy)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )

    assert proc.returncode == 4
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "no-such-rule" in proc.stderr
