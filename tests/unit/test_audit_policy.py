"""Audit policy loading: pyproject.toml and --policy merged, mistakes as one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.auditor.policy import load_policy, validate_policy
from shared.contract import AuditPolicy
from shared.errors import PolicyError, UsageError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_no_sources_give_the_default_policy(tmp_path: Path) -> None:
    """Without pyproject.toml or --policy every rule keeps its default."""
    assert load_policy(tmp_path, None) == AuditPolicy()


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    """[tool.seamq.audit] with rules, options, enable and disable."""
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.seamq.audit]\ndisable = ["print-call"]\n'
        '[tool.seamq.audit.rules]\nconditional-logic = "error"\n'
        '[tool.seamq.audit.options]\nnaming_pattern = "it_*.py"\n',
    )

    policy = load_policy(tmp_path, None)

    assert policy.rules == {"print-call": "off", "conditional-logic": "error"}
    assert policy.options == {"naming_pattern": "it_*.py"}


def test_policy_file_wins_key_by_key(tmp_path: Path) -> None:
    """--policy overrides pyproject.toml per rule and per option; the rest is kept."""
    write(
        tmp_path / "pyproject.toml",
        '[tool.seamq.audit.rules]\nprint-call = "off"\nsleep-wait = "error"\n'
        "[tool.seamq.audit.options]\nforbid_new_fixtures = true\n",
    )
    policy_file = write(
        tmp_path / "policy.toml",
        'enabled = true\nenable = ["print-call"]\n[options]\ndocstring_sections = ["impact"]\n',
    )

    policy = load_policy(tmp_path, policy_file)

    assert policy.rules == {"print-call": "warning", "sleep-wait": "error"}
    assert policy.options == {"forbid_new_fixtures": True, "docstring_sections": ["impact"]}


def test_policy_file_may_use_the_pyproject_layout(tmp_path: Path) -> None:
    """A policy file can hold [tool.seamq.audit] like a pyproject.toml."""
    policy_file = write(tmp_path / "team.toml", "[tool.seamq.audit]\nenabled = false\n")

    assert load_policy(None, policy_file).enabled is False


def test_validated_policy_gives_effective_severities() -> None:
    """Defaults, overrides and 'off' combine into one severity map."""
    severities, options = validate_policy(
        AuditPolicy(rules={"print-call": "off", "sleep-wait": "error"})
    )

    assert "print-call" not in severities
    assert severities["sleep-wait"] == "error"
    assert severities["mock-usage"] == "error"
    assert options.allow_monkeypatch is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[rules]\nmock-usge = "off"\n',
            "unknown rule id 'mock-usge' (did you mean 'mock-usage'?)",
        ),
        ('[rules]\nprint-call = "loud"\n', "rules.print-call: severity 'loud' is not one of"),
        ('disable = ["nope"]\n', "unknown rule id 'nope'"),
        ('disable = "print-call"\n', "disable: expected a list of rule ids"),
        ("rule = {}\n", "unknown key 'rule' (did you mean 'rules'?)"),
        ('enabled = "yes"\n', "enabled: expected true or false"),
        ("[options]\nforbid_fixtures = true\n", "unknown option 'forbid_fixtures'"),
        ("[options]\nallow_monkeypatch = 1\n", "options.allow_monkeypatch: expected true or false"),
        ('[options]\nforbidden_mock_modules = "mock"\n', "expected a list of non-empty strings"),
        ('[options]\nnaming_pattern = ""\n', "options.naming_pattern: expected a non-empty"),
        ("rules = 3\n", "rules: expected a table"),
        ("[rules\n", "invalid TOML: "),
    ],
)
def test_malformed_policies_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    """Each mistake names the file, says what is wrong, fits on one line, exits 4."""
    policy_file = write(tmp_path / "policy.toml", text)

    with pytest.raises(PolicyError) as caught:
        load_policy(None, policy_file)

    assert str(caught.value).startswith(f"{policy_file}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, UsageError)
    assert caught.value.exit_code == 4


def test_errors_in_pyproject_name_pyproject(tmp_path: Path) -> None:
    """The file at fault is the one named."""
    write(tmp_path / "pyproject.toml", '[tool.seamq.audit.rules]\nnope = "off"\n')

    with pytest.raises(PolicyError, match=r"pyproject\.toml: unknown rule id 'nope'"):
        load_policy(tmp_path, None)


def test_a_missing_policy_file_is_a_usage_error(tmp_path: Path) -> None:
    """--policy pointing nowhere is reported, not ignored."""
    with pytest.raises(PolicyError, match=r"missing\.toml: cannot read: No such file"):
        load_policy(None, tmp_path / "missing.toml")
