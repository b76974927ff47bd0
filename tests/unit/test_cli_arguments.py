"""The command line's options: declared once, converted and range-checked up front, with
defaults from the settings shown in ``--help`` (the broker URL's secret never)."""

from __future__ import annotations

import argparse

import pytest

from services.cli.arguments import COMMANDS, Formatter, build_parser, option_specs
from services.cli.main import main
from services.cli.options import broker_url
from shared.settings import Settings

SECRET_URL = "amqp://seamq:hunter2@rabbit:5672/"


def test_version_prints_the_package_name_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("seamq ")


def test_every_command_and_option_has_help() -> None:
    specs = option_specs(Settings())

    assert all(command.help for command in COMMANDS.values())
    assert all(spec.help for spec in specs.values())
    assert {name for command in COMMANDS.values() for name in command.options} <= set(specs)


def test_every_option_that_takes_a_value_says_its_default() -> None:
    parser = build_parser(Settings())
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    silent = []
    for name, command in sub.choices.items():
        formatter = Formatter(name)
        for action in command._actions:
            help_text = formatter._get_help_string(action) or ""
            if action.option_strings and action.nargs != 0 and "default" not in help_text:
                silent.append(f"{name} {action.option_strings[0]}")

    assert silent == []


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["run", "plan.md", "--repeats", "0"], "--repeats"),
        (["run", "plan.md", "--timeout", "inf"], "--timeout"),
        (["run", "plan.md", "--timeout", "-1"], "--timeout"),
        (["run", "plan.md", "--concurrency", "zero"], "--concurrency"),
        (["run", "plan.md", "--priority", "P9"], "--priority"),
        (["run", "plan.md", "--env", "=x"], "--env"),
        (["plan", "plan.md", "--batch-size", "0"], "--batch-size"),
        (["runner", "--metrics-port", "70000"], "--metrics-port"),
    ],
)
def test_bad_values_are_one_line_usage_errors_before_anything_runs(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str,
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    lines = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 4
    assert len(lines) == 1
    assert lines[0].startswith(f"seamq: error: argument {flag}")


def test_converted_values_reach_the_command() -> None:
    args = build_parser(Settings()).parse_args(
        ["run", "plan.md", "--priority", "p0,P1", "--env", "A=1=2", "--timeout", "2.5"])

    assert [str(p) for p in args.priority] == ["P0", "P1"]
    assert args.env == [("A", "1=2")]
    assert args.timeout == 2.5


def test_broker_and_metrics_port_default_to_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEAMQ_BROKER_URL", SECRET_URL)
    monkeypatch.setenv("SEAMQ_METRICS_PORT", "9100")
    settings = Settings()

    args = build_parser(settings).parse_args(["auditor"])

    assert broker_url(args, settings) == SECRET_URL
    assert args.metrics_port == 9100
    assert "hunter2" not in repr(settings)


def test_an_explicit_broker_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAMQ_BROKER_URL", SECRET_URL)
    settings = Settings()

    args = build_parser(settings).parse_args(["run", "plan.md", "--broker", "memory"])

    assert broker_url(args, settings) == "memory"


def test_help_shows_defaults_but_never_the_broker_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SEAMQ_BROKER_URL", SECRET_URL)

    with pytest.raises(SystemExit):
        main(["run", "--help"])

    text = capsys.readouterr().out
    assert "(default: 3)" in text
    assert "hunter2" not in text


def test_a_bad_setting_in_the_environment_is_a_one_line_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SEAMQ_METRICS_PORT", "not-a-port")

    with pytest.raises(SystemExit) as exit_info:
        main(["schema"])

    assert exit_info.value.code == 4
    assert capsys.readouterr().err.startswith("seamq: error: SEAMQ_METRICS_PORT")


def test_metrics_bind_this_machine_for_run_and_every_interface_for_services() -> None:
    parser = build_parser(Settings())

    assert parser.parse_args(["run", "plan.md"]).metrics_host == "127.0.0.1"
    assert parser.parse_args(["runner"]).metrics_host == "0.0.0.0"
    assert parser.parse_args(["coordinator", "--metrics-host", "10.0.0.2"]).metrics_host == (
        "10.0.0.2")
