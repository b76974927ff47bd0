"""False positives on test files written the way real projects write them.

tests/fixtures/audit_realistic holds clean suites in the style of real projects: FastAPI
with dependency overrides, async Redis with pytest-asyncio, parametrize, class-based
tests, conftest-style helpers, monkeypatch for settings, polling helpers, skips and xfails
with reasons, and a leftover unused ``from unittest.mock import patch``. None of them may
be rejected; the only findings allowed are the policy's docstring warnings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.auditor.engine import audit_source
from shared.contract import AuditPolicy

CORPUS = Path(__file__).parents[1] / "fixtures" / "audit_realistic"
FILES = sorted(p for p in CORPUS.glob("*.py") if p.name != "conftest.py")


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(FILES) >= 8


@pytest.mark.parametrize("file", FILES, ids=[f.name for f in FILES])
def test_a_clean_realistic_file_is_never_rejected(file: Path) -> None:
    findings = audit_source(f"tests/integration/{file.name}", file.read_text(),
                            policy=AuditPolicy(), conftest_fixtures=frozenset())

    assert [f for f in findings if f.severity == "error"] == []
    assert {f.rule for f in findings} <= {"missing-docstring"}
