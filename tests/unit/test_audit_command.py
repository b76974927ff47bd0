"""``seamq audit``: formats, exit codes, policy and plan, usage errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from services.auditor.command import audit_command

GOOD = '''"""Cart seam: scope, impact, strategy, success criteria."""


def test_total(api):
    """The total is computed."""
    assert api.total() == 3
'''
NO_FILE = "No such file or directory"
FORMATS = "text, json, sarif"
BAD = '''"""Cart seam."""
from unittest import mock


def test_total(api):
    """The total is computed."""
    cart = mock.MagicMock()
    print(api.total(cart))
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with one clean and one bad test file; the working directory."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n', encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_cart_integration.py").write_text(GOOD, encoding="utf-8")
    (tests / "test_bad_integration.py").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*paths: str, policy: str | None = None, plan: str | None = None,
        fmt: str = "text") -> tuple[int, str, str]:  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    code = audit_command(list(paths), policy, plan, fmt, out, err)
    return code, out.getvalue(), err.getvalue()


def test_text_output_is_linter_like_and_errors_exit_1(project: Path) -> None:
    """path:line:col: rule-id message, a summary on stderr, exit 1 for errors."""
    code, out, err = run("tests")

    assert code == 1
    assert out.splitlines() == [
        "tests/test_bad_integration.py:5:1: no-assertion test test_total asserts nothing",
        "tests/test_bad_integration.py:7:12: mock-usage uses unittest.mock.MagicMock: "
        "integration tests use the real collaborator",
        "tests/test_bad_integration.py:8:5: print-call print() in a test module",
    ]
    assert err == "seamq audit: 2 files, 2 errors, 1 warning, 0 info\n"


def test_clean_files_exit_0(project: Path) -> None:
    """No error-severity finding: exit 0, nothing on stdout."""
    assert run("tests/test_cart_integration.py")[:2] == (0, "")


def test_warnings_alone_exit_0(project: Path) -> None:
    """Warnings never fail the command."""
    (project / "tests" / "test_bad_integration.py").unlink()
    (project / "tests" / "test_noisy_integration.py").write_text(
        GOOD.replace("assert", "print(1)\n    assert"), encoding="utf-8"
    )

    code, out, _ = run("tests")

    assert code == 0
    assert "print-call" in out


def test_json_output_has_the_documented_shape(project: Path) -> None:
    """{"findings": [{path, line, col, rule, severity, message}]} plus a summary."""
    code, out, _ = run("tests", fmt="json")

    document = json.loads(out)
    assert code == 1
    assert document["findings"][1] == {
        "path": "tests/test_bad_integration.py",
        "line": 7,
        "col": 12,
        "rule": "mock-usage",
        "severity": "error",
        "message": "uses unittest.mock.MagicMock: integration tests use the real collaborator",
    }
    assert document["summary"] == {"files": 2, "error": 2, "warning": 1, "info": 0}


def test_sarif_output_is_a_sarif_log(project: Path) -> None:
    """--format sarif prints a SARIF 2.1.0 log."""
    code, out, _ = run("tests", fmt="sarif")

    log = json.loads(out)
    assert (code, log["version"], len(log["runs"][0]["results"])) == (1, "2.1.0", 3)


def test_pyproject_and_policy_file_shape_the_audit(project: Path) -> None:
    """The project's table and --policy both apply; --policy wins."""
    (project / "pyproject.toml").write_text(
        '[tool.seamq.audit.rules]\nprint-call = "error"\nmock-usage = "off"\n', encoding="utf-8"
    )
    (project / "policy.toml").write_text('[rules]\nprint-call = "info"\n', encoding="utf-8")

    _, out, _ = run("tests", policy="policy.toml", fmt="json")

    assert [(f["rule"], f["severity"]) for f in json.loads(out)["findings"]] == [
        ("no-assertion", "error"),
        ("print-call", "info"),
    ]


def test_plan_names_the_expected_files(project: Path) -> None:
    """With --plan, a file that is no seam's output file gets a file-naming warning."""
    (project / "PLAN.md").write_text(
        "# Plan\n\n### SEAM 1: Cart\n**Priority**: P0\n\n### 2. **SEAM**: Orders → DB\n"
        "**Output File**: tests/test_orders_db.py\n",
        encoding="utf-8",
    )

    code, out, _ = run("tests/test_cart_integration.py", "tests/test_bad_integration.py",
                       plan="PLAN.md")  # fmt: skip

    assert code == 1
    naming = [line for line in out.splitlines() if "file-naming" in line]
    assert naming == [
        "tests/test_bad_integration.py:0:0: file-naming test_bad_integration.py is not a test "
        "file the plan names (test_cart_integration.py, test_orders_db.py)"
    ]


@pytest.mark.parametrize(
    ("paths", "policy", "plan", "fmt", "message"),
    [
        (["nowhere"], None, None, "text", "nowhere: no such file or directory\n"),
        ([], None, None, "text", "no PATH to audit\n"),
        (["tests"], None, None, "xml", f"unknown format 'xml' (expected one of: {FORMATS})\n"),
        (["tests"], "missing.toml", None, "text", f"missing.toml: cannot read: {NO_FILE}\n"),
        (["tests"], None, "NOPLAN.md", "json", "NOPLAN.md:1: plan file not found\n"),
    ],
)  # fmt: skip
def test_usage_errors_exit_4_with_one_line(
    project: Path, paths: list[str], policy: str | None, plan: str | None, fmt: str, message: str
) -> None:
    """Bad input is one line on stderr, nothing on stdout, exit 4."""
    assert run(*paths, policy=policy, plan=plan, fmt=fmt) == (4, "", message)


def test_unknown_rule_in_pyproject_exits_4(project: Path) -> None:
    """A policy naming an unknown rule is a usage error."""
    (project / "pyproject.toml").write_text(
        '[tool.seamq.audit]\ndisable = ["prints"]\n', encoding="utf-8"
    )

    code, out, err = run("tests")

    assert (code, out) == (4, "")
    assert err.endswith("pyproject.toml: unknown rule id 'prints' (did you mean 'print-call'?)\n")


def test_a_directory_without_tests_is_not_an_error(project: Path) -> None:
    """Nothing to audit: exit 0 with a note."""
    (project / "docs").mkdir()

    code, out, err = run("docs")

    assert (code, out) == (0, "")
    assert "no test files found" in err
