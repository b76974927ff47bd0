"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).

Every catalog rule is described (with help text and default level); results point at
repository-relative URIs under ``%SRCROOT%`` and carry a partial fingerprint that survives
lines moving: a hash of rule, file and message, plus the occurrence number among equal ones.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import quote

from services.auditor.rules import RULES, Rule
from shared.contract import Finding

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "seamqFindingHash/v1"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def repository_root(project: Path) -> Path:
    """The nearest folder at or above ``project`` holding ``.git`` (else ``project``): SARIF
    URIs are relative to it, as GitHub code scanning resolves them from the repository."""
    project = project.resolve()
    return next((folder for folder in (project, *project.parents)
                 if (folder / ".git").exists()), project)


def from_project(findings: Sequence[Finding], project: Path) -> list[Finding]:
    """Project-relative findings (as a run reports them) with absolute paths."""
    return [f.model_copy(update={"path": str(project.resolve() / f.path)})
            if not Path(f.path).is_absolute() else f for f in findings]


def to_sarif(findings: Sequence[Finding], root: Path | None = None) -> dict[str, Any]:
    """A SARIF log with one run; ``root`` (the repository) makes URIs relative to it."""
    rule_index = {rule_id: index for index, rule_id in enumerate(RULES)}
    seen: Counter[str] = Counter()
    results = []
    for finding in findings:
        uri = _uri(finding.path, root)
        location: dict[str, str] = {"uri": uri}
        if not uri.startswith("file:"):
            location["uriBaseId"] = SRCROOT
        identity = hashlib.sha256(f"{finding.rule}\0{uri}\0{finding.message}".encode()).hexdigest()
        seen[identity] += 1
        region: dict[str, int] = {"startLine": max(finding.line, 1)}
        if finding.line and finding.col:
            region["startColumn"] = finding.col
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": _LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": region,
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: f"{identity[:32]}:{seen[identity]}"},
        }
        if finding.rule in rule_index:
            result["ruleIndex"] = rule_index[finding.rule]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "seamq-audit",
                "fullName": "seamq test auditor",
                "version": _version(),
                "rules": [_descriptor(rule) for rule in RULES.values()],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root.resolve().as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.message},
        "fullDescription": {"text": rule.help},
        "help": {"text": rule.help, "markdown": f"**{rule.message}**\n\n{rule.help}"},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"tags": ["tests", "seamq"], "precision": "high"},
    }


def _uri(path: str, root: Path | None) -> str:
    """A relative, percent-encoded URI; absolute paths are made relative to ``root``."""
    candidate = Path(path)
    if candidate.is_absolute() and root is not None:
        try:
            candidate = candidate.relative_to(root.resolve())
        except ValueError:
            return candidate.as_uri()
    elif candidate.is_absolute():
        return candidate.as_uri()
    return quote(candidate.as_posix())


def _version() -> str:
    try:
        return version("seamq")
    except PackageNotFoundError:
        return "0.0.0"
