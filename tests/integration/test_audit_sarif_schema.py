"""SARIF from ``seamq audit`` validates against the SARIF 2.1.0 JSON Schema.

The schema is tests/fixtures/audit/sarif-schema-2.1.0.trimmed.json: the OASIS schema
(errata01) cut down to the objects seamq emits, each kept with its original constraints and
``additionalProperties: false``, so it is stricter than the full schema, never looser.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from services.auditor.command import audit_command

FIXTURES = Path(__file__).parents[1] / "fixtures" / "audit"
SCHEMA = json.loads((FIXTURES / "sarif-schema-2.1.0.trimmed.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git-like project holding every positive corpus file as a test module."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    tests = tmp_path / "tests" / "integration"
    tests.mkdir(parents=True)
    (tests / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef db():\n    return None\n", encoding="utf-8"
    )
    for file in sorted(FIXTURES.glob("*/positive*.py")):
        name = f"test_{file.parent.name.replace('-', '_')}_{file.stem}.py"
        (tests / name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    (tests / "test_broken_integration.py").write_text("def test_(:\n", encoding="utf-8")
    # file-naming is off unless a policy sets a pattern: this one turns it on.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.seamq.audit.options]\nnaming_pattern = "test_*_integration.py"\n',
        encoding="utf-8")
    return tmp_path


def audit_sarif(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(root)
    out, err = io.StringIO(), io.StringIO()
    code = audit_command(["tests"], None, None, "sarif", out, err)
    return code, json.loads(out.getvalue())


def test_sarif_of_the_positive_corpus_is_valid(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every rule firing, plus an unparsable file, gives a schema-valid SARIF log."""
    code, log = audit_sarif(repository, monkeypatch)

    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []
    assert code == 1
    fired = {result["ruleId"] for result in log["runs"][0]["results"]}
    assert fired == {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}


def test_sarif_meets_code_scanning_expectations(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relative URIs under %SRCROOT%, rules with help, unique partial fingerprints."""
    _, log = audit_sarif(repository, monkeypatch)
    run = log["runs"][0]

    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert all(uri.startswith("tests/integration/test_") for uri in uris)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repository.resolve().as_uri() + "/"
    assert all(rule["help"]["text"] and rule["shortDescription"]["text"]
               for rule in run["tool"]["driver"]["rules"])  # fmt: skip
    fingerprints = [tuple(r["partialFingerprints"].items()) for r in run["results"]]
    assert len(fingerprints) == len(set(fingerprints))


def test_sarif_without_findings_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean suite gives a valid log with an empty results array."""
    clean = tmp_path / "tests"
    clean.mkdir()
    source = (FIXTURES / "clean" / "orders_suite.py").read_text(encoding="utf-8")
    (clean / "test_orders_integration.py").write_text(source, encoding="utf-8")

    code, log = audit_sarif(tmp_path, monkeypatch)

    assert list(VALIDATOR.iter_errors(log)) == []
    assert (code, log["runs"][0]["results"]) == (0, [])
