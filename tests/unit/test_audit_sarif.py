"""SARIF rendering: rule metadata, levels, locations and stable fingerprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.auditor.rules import RULES
from services.auditor.sarif import FINGERPRINT_KEY, to_sarif
from shared.contract import Finding


def finding(line: int = 3, col: int = 5, **overrides: str) -> Finding:
    fields = {"path": "tests/test_cart_integration.py", "rule": "mock-usage",
              "severity": "error", "message": "imports mock"} | overrides  # fmt: skip
    return Finding.model_validate({"line": line, "col": col, **fields})


def results(*findings: Finding, root: Path | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = to_sarif(findings, root)["runs"][0]["results"]
    return found


def test_every_catalog_rule_is_described_with_help() -> None:
    """The driver lists all rules, in catalog order, with help and default level."""
    rules = to_sarif([])["runs"][0]["tool"]["driver"]["rules"]

    assert [r["id"] for r in rules] == list(RULES)
    mock_usage = rules[list(RULES).index("mock-usage")]
    assert mock_usage["name"] == "MockUsage"
    assert mock_usage["defaultConfiguration"] == {"level": "error"}
    assert mock_usage["help"]["text"] == RULES["mock-usage"].help


def test_result_points_at_a_relative_uri_with_line_and_column() -> None:
    """Location: %SRCROOT%-relative URI, 1-based line and column; ruleIndex set."""
    [result] = results(finding())

    assert result["ruleId"] == "mock-usage"
    assert result["ruleIndex"] == list(RULES).index("mock-usage")
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "tests/test_cart_integration.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 5},
    }


def test_levels_map_to_sarif_levels() -> None:
    """info becomes note; warning and error stay."""
    levels = [r["level"] for r in results(finding(severity="info"), finding(severity="warning"))]

    assert levels == ["note", "warning"]


def test_whole_file_findings_point_at_line_one() -> None:
    """Line 0 (the whole file) is startLine 1 without a column."""
    [result] = results(finding(line=0, col=0, rule="file-naming", severity="warning"))

    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_fingerprints_survive_moved_lines_and_tell_twins_apart() -> None:
    """Same rule, file and message keep their fingerprint when lines move; repeats differ."""
    before = results(finding(line=3), finding(line=9))
    after = results(finding(line=13), finding(line=19))

    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in before]
    assert prints == [r["partialFingerprints"][FINGERPRINT_KEY] for r in after]
    assert prints[0] != prints[1]
    assert [p.rsplit(":", 1)[1] for p in prints] == ["1", "2"]


def test_absolute_paths_become_relative_to_the_repository(tmp_path: Path) -> None:
    """Under the root: relative; elsewhere: an absolute file URI without a base id."""
    inside = finding(path=str(tmp_path / "tests" / "test_a b.py"))
    outside = finding(path="/elsewhere/test_b.py")

    first, second = results(inside, outside, root=tmp_path)

    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "tests/test_a%20b.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert second["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///elsewhere/test_b.py"
    }


def test_root_is_declared_as_the_base_uri(tmp_path: Path) -> None:
    """originalUriBaseIds tells consumers where %SRCROOT% was."""
    run = to_sarif([], tmp_path)["runs"][0]

    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}
    assert run["results"] == []
