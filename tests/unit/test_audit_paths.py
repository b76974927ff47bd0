"""Auditing a tree: discovery, conftest fixtures from the file's directory upward, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.auditor.engine import audit_paths, discover
from services.auditor.fixture_discovery import conftest_fixtures
from shared.contract import AuditPolicy
from shared.errors import UsageError

CONFTEST = """\
import pytest
from pytest import fixture

@pytest.fixture
def db():
    return None

@fixture(name="api")
def make_api():
    return None

if True:
    @pytest.fixture(scope="session")
    def broker():
        return None

class Helpers:
    @pytest.fixture
    def not_global(self):
        return None

def helper():
    return None
"""
OVERRIDE = '''"""Module."""
import pytest

@pytest.fixture
def {name}():
    return 1

def test_uses_it({name}):
    """Uses the fixture."""
    assert {name} == 1
'''


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_conftest_fixtures_are_module_level_fixture_names() -> None:
    """Named fixtures, fixtures under if, not class members or helpers."""
    names = conftest_fixtures({"conftest.py": CONFTEST, "broken/conftest.py": "def (:"})

    assert names == {"db", "api", "broker"}


def test_discovery_finds_test_files_and_skips_hidden_and_build_dirs(tmp_path: Path) -> None:
    """test_*.py and *_test.py in the tree; explicit files are taken as given."""
    for name in ("a/test_x.py", "a/y_test.py", "a/helper.py", ".venv/test_v.py",
                 "a/__pycache__/test_c.py", "build/test_b.py"):  # fmt: skip
        write(tmp_path / name, "")
    explicit = write(tmp_path / "checks.py", "")

    found = discover([tmp_path, explicit])

    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/test_x.py",
        "a/y_test.py",
        "checks.py",
    ]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    """A path that does not exist is refused."""
    with pytest.raises(UsageError, match="nowhere: no such file or directory"):
        discover([tmp_path / "nowhere"])


def test_fixtures_come_from_the_directory_and_above_up_to_root(tmp_path: Path) -> None:
    """conftest.py files above the file count; a sibling directory's do not."""
    write(tmp_path / "conftest.py", "import pytest\n@pytest.fixture\ndef db():\n    pass\n")
    write(
        tmp_path / "api" / "conftest.py", "import pytest\n@pytest.fixture\ndef api():\n    pass\n"
    )
    write(tmp_path / "other" / "conftest.py", "import pytest\n@pytest.fixture\ndef cache():\n  1\n")
    for name in ("db", "api", "cache"):
        write(tmp_path / "api" / "v1" / f"test_{name}_integration.py", OVERRIDE.format(name=name))

    findings = audit_paths([tmp_path / "api"], AuditPolicy(), tmp_path)

    assert [(f.path, f.rule) for f in findings] == [
        ("api/v1/test_api_integration.py", "fixture-redefined"),
        ("api/v1/test_db_integration.py", "fixture-redefined"),
    ]


def test_conftest_above_root_is_not_read(tmp_path: Path) -> None:
    """The search stops at the root."""
    write(tmp_path / "conftest.py", "import pytest\n@pytest.fixture\ndef db():\n    pass\n")
    project = tmp_path / "project"
    write(project / "tests" / "test_db_integration.py", OVERRIDE.format(name="db"))

    assert audit_paths([project], AuditPolicy(), project) == []


def test_unreadable_and_undecodable_files_are_findings(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 become a syntax-error finding with a reason."""
    (tmp_path / "test_latin_integration.py").write_bytes(b'x = "\xe9"\n')

    findings = audit_paths([tmp_path], AuditPolicy(), tmp_path)

    assert [(f.path, f.rule, f.line) for f in findings] == [
        ("test_latin_integration.py", "syntax-error", 0)
    ]
    assert findings[0].message.startswith("cannot read: ")


def test_paths_outside_root_stay_absolute(tmp_path: Path) -> None:
    """A file outside the root is named by its absolute path."""
    file = write(tmp_path / "elsewhere" / "test_x.py", "def test_(:\n")
    root = tmp_path / "root"
    root.mkdir()

    findings = audit_paths([file], AuditPolicy(), root)

    assert [f.path for f in findings] == [file.resolve().as_posix()]
