"""The rule engine: parse a test module once, run the enabled rule families, apply the policy.

A finding on a line carrying ``# seamq: ignore[rule-id, ...]`` is dropped, and so is every
finding of a rule named in ``# seamq: ignore-file[rule-id, ...]`` anywhere in the file —
except the integrity rules (``UNIGNORABLE``): the file under audit cannot exempt itself.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from services.auditor.context import ModuleContext
from services.auditor.fixture_discovery import conftest_fixtures
from services.auditor.options import AuditOptions
from services.auditor.policy import validate_policy
from services.auditor.rules import FAMILIES, Hit, Level
from services.auditor.rules.syntax import parse, unreadable
from shared.contract import AuditPolicy, Finding
from shared.errors import UsageError

# Integrity rules: an inline comment in the audited file cannot silence them (a policy can).
UNIGNORABLE = frozenset({"verdict-tampering"})
_IGNORE = re.compile(r"#\s*seamq:\s*ignore(-file)?\[([^\]]*)\]")
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "build", "dist"})


@dataclass(frozen=True)
class Settings:
    """A validated policy: the severity of each enabled rule, and the rule options."""

    severities: dict[str, Level]
    options: AuditOptions
    enabled: bool = True

    @classmethod
    def from_policy(cls, policy: AuditPolicy) -> Settings:
        """Validate ``policy``; raises ``PolicyError`` for unknown rules or bad options."""
        severities, options = validate_policy(policy)
        return cls(severities, options, policy.enabled)


def audit_source(
    path: str,
    content: str,
    *,
    policy: AuditPolicy = AuditPolicy(),
    conftest_fixtures: Collection[str] = (),
    seam_slug: str | None = None,
    expected_names: Collection[str] = (),
) -> list[Finding]:
    """Audit one test module's source; ``path`` is how findings name the file.

    ``expected_names``: file names a plan expects, which ``file-naming`` then checks.
    """
    settings = Settings.from_policy(policy)
    return audit_with(settings, path, content, conftest_fixtures, seam_slug, expected_names)


def audit_with(
    settings: Settings,
    path: str,
    content: str,
    fixtures: Collection[str] = (),
    seam_slug: str | None = None,
    expected_names: Collection[str] = (),
) -> list[Finding]:
    """Audit one module under already validated settings."""
    if not settings.enabled:
        return []
    tree = parse(content)
    if isinstance(tree, Hit):
        hits = [tree]
    else:
        ctx = ModuleContext(
            path, content, tree, options=settings.options, conftest_fixtures=fixtures,
            seam_slug=seam_slug, expected_names=expected_names,
        )  # fmt: skip
        hits = []
        for family in FAMILIES:
            if any(rule.id in settings.severities for rule in family.rules):
                hits.extend(family.check(ctx))
    return _findings(settings, path or "<unknown>", content, hits)


def audit_paths(
    paths: Sequence[Path], policy: AuditPolicy, root: Path, *, expected_names: Collection[str] = ()
) -> list[Finding]:
    """Audit files and directories (``test_*.py`` / ``*_test.py`` inside them).

    Findings name files relative to ``root``; each file's conftest.py fixtures are read
    from its directory and every parent up to ``root``.
    """
    settings = Settings.from_policy(policy)
    root = root.resolve()
    chains: dict[Path, frozenset[str]] = {}
    findings: list[Finding] = []
    for file in discover(paths):
        file = file.resolve()
        name = _relative(file, root)
        try:
            content = importlib.util.decode_source(file.read_bytes())
        except OSError as e:
            findings += _findings(settings, name, "", [unreadable(e.strerror or str(e))])
            continue
        except (UnicodeDecodeError, SyntaxError, LookupError) as e:
            findings += _findings(settings, name, "", [unreadable(str(e))])
            continue
        fixtures = _conftest_chain(file.parent, root, chains)
        findings += audit_with(settings, name, content, fixtures, None, expected_names)
    return findings


def discover(paths: Sequence[Path]) -> list[Path]:
    """Test files under ``paths``: files as given, directories searched recursively."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*.py")):
                parts = file.relative_to(path).parts[:-1]
                if is_test_file(file.name) and not any(
                    p.startswith(".") or p in _SKIPPED_DIRS for p in parts
                ):
                    found[file] = None
        elif path.is_file():
            found[path] = None
        else:
            raise UsageError(f"{path}: no such file or directory")
    return list(found)


def is_test_file(name: str) -> bool:
    """pytest's default test file names: ``test_*.py`` and ``*_test.py``."""
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def _conftest_chain(
    directory: Path, root: Path, chains: dict[Path, frozenset[str]]
) -> frozenset[str]:
    if directory in chains:
        return chains[directory]
    names: set[str] = set()
    conftest = directory / "conftest.py"
    if conftest.is_file():
        try:
            names = conftest_fixtures({str(conftest): conftest.read_text(encoding="utf-8")})
        except (OSError, UnicodeDecodeError):
            names = set()
    if directory != root and root in directory.parents:
        names |= _conftest_chain(directory.parent, root, chains)
    chains[directory] = frozenset(names)
    return chains[directory]


def _relative(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()


def _findings(settings: Settings, path: str, content: str, hits: list[Hit]) -> list[Finding]:
    line_ignores: dict[int, set[str]] = {}
    file_ignores: set[str] = set()
    if "seamq:" in content:
        for number, line in enumerate(content.splitlines(), 1):
            for match in _IGNORE.finditer(line):
                ids = {part.strip() for part in match.group(2).split(",")}
                (file_ignores if match.group(1) else line_ignores.setdefault(number, set())).update(
                    ids
                )
    unique: dict[tuple[str, int, int, str], Finding] = {}
    for hit in hits:
        severity = settings.severities.get(hit.rule)
        ignored = hit.rule in file_ignores or hit.rule in line_ignores.get(hit.line, ())
        if severity is None or (ignored and hit.rule not in UNIGNORABLE):
            continue
        key = (hit.rule, hit.line, hit.col, hit.message)
        if key not in unique:
            unique[key] = Finding(
                path=path, line=max(hit.line, 0), col=max(hit.col, 0), rule=hit.rule,
                severity=severity, message=hit.message,
            )  # fmt: skip
    return sorted(unique.values(), key=lambda f: (f.path, f.line, f.col, f.rule, f.message))
