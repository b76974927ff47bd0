"""The rule corpus: every file yields exactly the findings its comments expect.

Files live in tests/fixtures/audit (see its README): ``<rule-id>/positive*.py`` hold the
cases a rule must find, ``<rule-id>/negative*.py`` and ``clean/`` the ordinary and tricky
cases where nothing at all may be reported.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from services.auditor.engine import audit_source
from services.auditor.rules import RULES
from shared.contract import AuditPolicy

CORPUS = Path(__file__).parents[1] / "fixtures" / "audit"
CONFTEST_FIXTURES = frozenset({"db", "api", "broker", "redis_client", "workspace"})
FILES = sorted(CORPUS.rglob("*.py"))

EXPECT = re.compile(r"#\s*expect:\s*([\w\-, ]+)")
EXPECT_FILE = re.compile(r"^#\s*expect-file:\s*([\w\-, ]+)")
HEADER = re.compile(r"^#\s*corpus-(path|policy|seam):\s*(.+)$")


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def expectations(source: str) -> tuple[Counter[tuple[int, str]], dict[str, str]]:
    """Expected (line, rule) findings and the corpus headers of a corpus file."""
    expected: Counter[tuple[int, str]] = Counter()
    headers: dict[str, str] = {}
    for number, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if header := HEADER.match(stripped):
            headers[header.group(1)] = header.group(2).strip()
        if whole := EXPECT_FILE.match(stripped):
            expected.update((0, rule) for rule in _ids(whole.group(1)))
        elif on_line := EXPECT.search(line):
            expected.update((number, rule) for rule in _ids(on_line.group(1)))
    return expected, headers


def audit_corpus_file(file: Path) -> tuple[Counter[tuple[int, str]], Counter[tuple[int, str]]]:
    """(expected, actual) findings of one corpus file, as (line, rule) counts."""
    source = file.read_text(encoding="utf-8")
    expected, headers = expectations(source)
    path = headers.get("path", f"tests/integration/test_{file.stem}_integration.py")
    policy = AuditPolicy.model_validate(json.loads(headers.get("policy", "{}")), strict=False)
    findings = audit_source(
        path,
        source,
        policy=policy,
        conftest_fixtures=CONFTEST_FIXTURES,
        seam_slug=headers.get("seam"),
    )
    return expected, Counter((f.line, f.rule) for f in findings)


@pytest.mark.parametrize("file", FILES, ids=[f"{f.parent.name}/{f.name}" for f in FILES])
def test_corpus_file_yields_exactly_the_expected_findings(file: Path) -> None:
    """Each corpus file: no missing finding, no extra finding, per line and rule."""
    expected, actual = audit_corpus_file(file)

    assert {"missing": expected - actual, "unexpected": actual - expected} == {
        "missing": Counter(),
        "unexpected": Counter(),
    }


def test_every_rule_has_positive_and_negative_cases() -> None:
    """The corpus covers each catalog rule both ways (syntax-error lives in unit tests)."""
    folders = {d.name: {f.stem.split("_")[0] for f in d.glob("*.py")} for d in CORPUS.iterdir()}

    uncovered = [
        rule
        for rule in RULES
        if rule != "syntax-error" and folders.get(rule, set()) != {"positive", "negative"}
    ]

    assert uncovered == []


def test_positive_files_expect_their_own_rule() -> None:
    """A positive file exercises the rule of its folder."""
    lacking = []
    for file in CORPUS.glob("*/positive*.py"):
        expected, _ = expectations(file.read_text(encoding="utf-8"))
        if file.parent.name not in {rule for _, rule in expected}:
            lacking.append(f"{file.parent.name}/{file.name}")

    assert lacking == []
