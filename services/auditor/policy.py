"""Audit policy: ``[tool.seamq.audit]`` in pyproject.toml and/or a ``--policy`` TOML file.

Both use the same table; the policy file wins over pyproject.toml, key by key::

    [tool.seamq.audit]            # in a policy file, [tool.seamq.audit] or top-level keys
    enabled = true
    disable = ["print-call"]      # severity "off"
    enable = ["sleep-wait"]       # back to the rule's default severity
    [tool.seamq.audit.rules]      # severity per rule: "error" | "warning" | "info" | "off"
    conditional-logic = "error"
    [tool.seamq.audit.options]
    naming_pattern = "test_*_integration.py"

Every mistake is a ``PolicyError`` of one line, ``FILE: message``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal, cast

from services.auditor.options import AuditOptions, did_you_mean, parse_options
from services.auditor.rules import RULES, Level
from shared.contract import AuditPolicy
from shared.errors import PolicyError
from shared.files import CONFIG_CAP, UnsafeFileError, read_text_capped

PolicySeverity = Literal["error", "warning", "info", "off"]
SEVERITIES: tuple[PolicySeverity, ...] = ("error", "warning", "info", "off")
_KEYS = ("enabled", "enable", "disable", "rules", "options")


def load_policy(project_dir: Path | None, policy_file: Path | None) -> AuditPolicy:
    """Merge the project's ``[tool.seamq.audit]`` with ``policy_file`` (which wins)."""
    rules: dict[str, PolicySeverity] = {}
    options: dict[str, Any] = {}
    enabled = True
    layers: list[tuple[Path, dict[str, Any]]] = []
    if project_dir is not None and (project_dir / "pyproject.toml").is_file():
        pyproject = project_dir / "pyproject.toml"
        table = _audit_table(pyproject, _read(pyproject))
        if table is not None:
            layers.append((pyproject, table))
    if policy_file is not None:
        data = _read(policy_file)
        layers.append((policy_file, _audit_table(policy_file, data) or data))
    for source, table in layers:
        try:
            enabled = _merge(table, rules, options, enabled)
            parse_options(options)
        except PolicyError as e:
            raise PolicyError(f"{source}: {e}") from None
    return AuditPolicy(rules=rules, options=options, enabled=enabled)


def validate_policy(policy: AuditPolicy) -> tuple[dict[str, Level], AuditOptions]:
    """The effective severity of every enabled rule, and the typed options."""
    severities: dict[str, Level] = {rule_id: rule.severity for rule_id, rule in RULES.items()}
    for rule_id, severity in policy.rules.items():
        _check_rule(rule_id)
        if severity == "off":
            severities.pop(rule_id, None)
        else:
            severities[rule_id] = severity
    return severities, parse_options(policy.options)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_text_capped(path, CONFIG_CAP))
    except UnsafeFileError as e:
        raise PolicyError(f"policy: {e}") from None
    except OSError as e:
        raise PolicyError(f"{path}: cannot read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(f"{path}: invalid TOML: {_one_line(str(e))}") from None


def _audit_table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    table: Any = data
    for key in ("tool", "seamq", "audit"):
        if not isinstance(table, dict) or key not in table:
            return None
        table = table[key]
    if not isinstance(table, dict):
        raise PolicyError(f"{path}: [tool.seamq.audit] must be a table")
    return table


def _merge(
    table: dict[str, Any],
    rules: dict[str, PolicySeverity],
    options: dict[str, Any],
    enabled: bool,
) -> bool:
    for key in table:
        if key not in _KEYS:
            raise PolicyError(f"unknown key {key!r}{did_you_mean(key, _KEYS)}")
    if "enabled" in table:
        if not isinstance(table["enabled"], bool):
            raise PolicyError("enabled: expected true or false")
        enabled = table["enabled"]
    for key, severity in (("enable", None), ("disable", "off")):
        for rule_id in _id_list(key, table.get(key, [])):
            rules[rule_id] = cast(PolicySeverity, severity or RULES[rule_id].severity)
    for rule_id, severity in _table("rules", table).items():
        _check_rule(rule_id)
        if severity not in SEVERITIES:
            raise PolicyError(
                f"rules.{rule_id}: severity {severity!r} is not one of {', '.join(SEVERITIES)}"
            )
        rules[rule_id] = severity
    options.update(_table("options", table))
    return enabled


def _table(key: str, table: dict[str, Any]) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise PolicyError(f"{key}: expected a table")
    return value


def _id_list(key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{key}: expected a list of rule ids")
    for rule_id in value:
        _check_rule(rule_id)
    return value


def _check_rule(rule_id: str) -> None:
    if rule_id not in RULES:
        raise PolicyError(f"unknown rule id {rule_id!r}{did_you_mean(rule_id, RULES)}")


def _one_line(text: str) -> str:
    return " ".join(text.split())
