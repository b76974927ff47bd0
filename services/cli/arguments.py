"""Every ``seamq`` option and command, declared once: flags, converter, default, help.

``option_specs`` holds each option's one declaration (defaults from the settings where an
environment variable sets them); ``COMMANDS`` says which options each command takes and
which module runs it. The
parser shows defaults in ``--help`` and reports usage errors in one line with exit 4.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from services.cli import converters as conv
from shared.settings import Settings

EXIT_USAGE = 4
SANDBOXES = ["auto", "docker", "local"]


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit code 4."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"seamq: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


class Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows defaults, except the empty ones (None, False, '', []) that say nothing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, "", []):
            return action.help
        return super()._get_help_string(action)


@dataclass(frozen=True)
class Option:
    """One option's declaration; ``extra`` holds argparse's choices, action, nargs, …"""

    flags: tuple[str, ...]
    help: str
    type: Callable[[str], Any] | None = None
    default: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def option_specs(settings: Settings) -> dict[str, Option]:
    """Every option of every command, keyed by the name ``COMMANDS`` refers to."""
    return {**_plan_options(), **_host_options(settings)}


COV = Option(("--cov",), "module, package or path measured for seams whose plan names no "
             "component (repeatable; default: [tool.seamq.coverage] source)",
             None, [], {"action": "append", "metavar": "SRC"})


def _plan_options() -> dict[str, Option]:
    """How a plan is read, run and judged (``run``, ``submit``, ``plan``)."""
    return {
        "cov": COV,
        "plan": Option(("plan",), "the test plan (Markdown)"),
        "project": Option(("--project",), "project root (default: nearest folder with "
                          "pyproject.toml or .git above the plan)", extra={"metavar": "DIR"}),
        "priority": Option(("--priority",), "comma-separated priorities, e.g. P0,P1 "
                           "(default: all)", conv.priorities, "", {"metavar": "LIST"}),
        "batch-size": Option(("--batch-size",), "seams validated together per batch",
                             conv.at_least(1, 100), 3, {"metavar": "N"}),
        "repeats": Option(("--repeats",), "random-order runs of each seam's tests",
                          conv.at_least(1, 100), 3, {"metavar": "N"}),
        "confirm": Option(("--confirm",), "runs alone of a test that failed every repeat, "
                          "before it is called failed (one pass makes the seam flaky)",
                          conv.at_least(0, 20), 3, {"metavar": "N"}),
        "sandbox": Option(("--sandbox",), "where pytest runs", None, "auto",
                          {"choices": SANDBOXES}),
        "image": Option(("--image",), "test image for the docker sandbox (default: "
                        "seamq-sandbox:latest)", None, "",
                        {"metavar": "IMAGE"}),
        "timeout": Option(("--timeout",), "per job, wall clock, seconds",
                          conv.positive_seconds, 300.0, {"metavar": "SECONDS"}),
        "concurrency": Option(("--concurrency",), "runner jobs in flight at once",
                              conv.at_least(1, 256), os.cpu_count() or 1, {"metavar": "N"}),
        "service-concurrency": Option(("--concurrency",), "jobs in flight at once",
                                      conv.at_least(1, 256), 1, {"metavar": "N"}),
        "generator": Option(("--generator",), "writes missing test files: command:CMD | "
                            "openai:MODEL | scaffold (default: none, a missing file is "
                            "'missing')", None, "", {"metavar": "SPEC"}),
        "max-attempts": Option(("--max-attempts",), "generation attempts per seam",
                               conv.at_least(1, 20), 3, {"metavar": "N"}),
        "brief-template": Option(("--brief-template",), "Markdown template for the "
                                 "generator's brief ($seam_title, $scope, $feedback, …; default: "
                                 "seamq's own brief_template.md)",
                                 extra={"metavar": "FILE"}),
        "regenerate": Option(("--regenerate",), "generate even where a test file exists",
                             extra={"action": "store_true"}),
        "write-back": Option(("--write-back",), "write passed generated files into the "
                             "project", extra={"action": "store_true"}),
        "env": Option(("--env",), "environment variable for the tests (repeatable; default: "
                      "none beyond a minimal PATH, HOME, LANG)",
                      conv.key_value, [], {"action": "append", "metavar": "KEY=VALUE"}),
        "setup": Option(("--setup",), "shell command run before pytest in the sandbox "
                        "(default: none)",
                        None, "", {"metavar": "CMD"}),
        "services": Option(("--services",), "TOML file defining [services.<name>] (default: "
                           "[tool.seamq.services] in the project's pyproject.toml)",
                           extra={"metavar": "FILE"}),
        "rebuild-env": Option(("--rebuild-env",), "build the project's environment image "
                              "([tool.seamq.environment]) even when it exists",
                              extra={"action": "store_true"}),
        "policy": Option(("--policy",), "audit policy TOML file, over the project's "
                         "[tool.seamq.audit] (default: that table, else the built-in rules)",
                         extra={"metavar": "FILE"}),
        "skip-validation": Option(("--skip-validation",), "skip the batch and suite "
                                  "validation runs", extra={"action": "store_true"}),
        "no-cache": Option(("--no-cache",), "prove every seam again, even those unchanged "
                           "since a stable proof", extra={"action": "store_true"}),
    }


def _host_options(settings: Settings) -> dict[str, Option]:
    """Where a run goes and what it prints; the services' and the other commands' options."""
    fmt = {"choices": ["text", "json"]}
    return {
        "broker": Option(("--broker",), "memory | amqp://… (default: $SEAMQ_BROKER_URL, "
                         "else memory)", extra={"metavar": "URL"}),
        "metrics-port": Option(("--metrics-port",), "serve Prometheus /metrics and /healthz "
                               "on this port (0: any free port; default: $SEAMQ_METRICS_PORT, else "
                               "no endpoint)",
                               conv.port, settings.metrics_port, {"metavar": "PORT"}),
        "metrics-host": Option(("--metrics-host",), "address /metrics binds to (0.0.0.0: "
                               "every interface)", None, "127.0.0.1", {"metavar": "ADDR"}),
        "service-metrics-host": Option(("--metrics-host",), "address /metrics binds to "
                                       "(127.0.0.1: this machine only)", None, "0.0.0.0",
                                       {"metavar": "ADDR"}),
        "out": Option(("--out",), "report directory (default: .seamq/runs/<run_id>)",
                      extra={"metavar": "DIR"}),
        "format": Option(("--format",), "what to print on stdout", None, "text", fmt),
        "seed": Option(("--seed",), "run seed (default: random, recorded)", int,
                       extra={"metavar": "N"}),
        "wait-timeout": Option(("--wait-timeout",), "with --wait: give up after this long "
                               "(a coordinator must accept the run within 60 s of it)",
                               conv.positive_seconds, 3600.0, {"metavar": "SECONDS"}),
        "wait": Option(("--wait",), "follow the run and write reports",
                       extra={"action": "store_true"}),
        "git-url": Option(("--git-url",), "project as a git URL runners clone (default: the "
                          "project folder, on a path runners share)",
                          extra={"metavar": "URL"}),
        "git-ref": Option(("--git-ref",), "git ref to check out", None, "HEAD",
                          {"metavar": "REF"}),
        "state": Option(("--state",), "directory of the coordinator's run store", None,
                        settings.state_dir, {"metavar": "DIR"}),
        "paths": Option(("paths",), "test files or folders to audit",
                        extra={"nargs": "+"}),
        "audit-plan": Option(("--plan",), "test plan whose seams name the audited files "
                             "(default: none; each file is audited on its own)",
                             extra={"metavar": "PLAN"}),
        "audit-format": Option(("--format",), "output format", None, "text",
                               {"choices": ["text", "json", "sarif"]}),
        "asyncapi": Option(("--asyncapi",), "print the AsyncAPI 3 document",
                           extra={"action": "store_true"}),
    }


RUN = ("plan", "project", "priority", "batch-size", "repeats", "confirm", "sandbox", "image",
       "timeout", "concurrency", "generator", "max-attempts", "brief-template", "regenerate",
       "write-back", "env", "setup", "services", "rebuild-env", "policy", "skip-validation",
       "no-cache", "cov", "broker",
       "out", "format", "seed")

@dataclass(frozen=True)
class Command:
    """A command's help, its options, and the module of ``services.cli.commands`` that runs
    it (imported only when it runs, so ``seamq audit`` never loads a broker)."""

    help: str
    options: tuple[str, ...]
    module: str


COMMANDS: dict[str, Command] = {
    "plan": Command("show how a plan is read, selected and batched",
                    ("plan", "project", "priority", "batch-size", "format"), "plan"),
    "run": Command("run a plan end to end (embedded by default)",
                   (*RUN, "metrics-port", "metrics-host"), "run"),
    "submit": Command("submit a run to a fleet over RabbitMQ",
                      (*RUN, "wait", "wait-timeout", "git-url", "git-ref"),
                      "submit"),
    "coordinator": Command("run the coordinator service",
                           ("broker", "metrics-port", "service-metrics-host", "state"),
                           "serve"),
    "runner": Command("run the runner service", ("broker", "metrics-port",
                                                 "service-metrics-host", "sandbox", "image",
                                                 "service-concurrency"), "serve"),
    "auditor": Command("run the auditor service",
                       ("broker", "metrics-port", "service-metrics-host"), "serve"),
    "audit": Command("check test files against the testing policy",
                     ("paths", "policy", "audit-plan", "audit-format"), "audit"),
    "schema": Command("print the message JSON Schemas", ("asyncapi",), "schema"),
}


def _version() -> str:
    try:
        return metadata.version("seamq")
    except metadata.PackageNotFoundError:
        return "unknown"


def add_option(parser: argparse.ArgumentParser, spec: Option) -> None:
    kwargs: dict[str, Any] = {"help": spec.help, **spec.extra}
    if spec.type is not None:
        kwargs["type"] = spec.type
    if spec.default is not None:
        kwargs["default"] = spec.default
    parser.add_argument(*spec.flags, **kwargs)


def build_parser(settings: Settings) -> Parser:
    parser = Parser(prog="seamq", formatter_class=Formatter, description="Turn an "
                    "integration test plan into verified, stable integration tests.")
    parser.add_argument("--version", action="version", version=f"seamq {_version()}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser,
                                metavar="COMMAND")
    specs = option_specs(settings)
    for name, command in COMMANDS.items():
        parser_ = sub.add_parser(name, help=command.help, description=command.help,
                                 formatter_class=Formatter)
        for option in command.options:
            add_option(parser_, specs[option])
    return parser
