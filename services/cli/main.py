"""The ``seamq`` command line: argument parsing and dispatch to the commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from shared.errors import PlanError, SeamqError, UsageError

EXIT_USAGE = 4


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit code 4."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"seamq: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("plan", help="the test plan (Markdown)")
    p.add_argument("--project", help="project root (default: nearest folder with "
                   "pyproject.toml or .git above the plan)")
    p.add_argument("--priority", default="", help="comma-separated priorities, e.g. P0,P1")
    p.add_argument("--batch-size", type=int, default=3)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sandbox", choices=["auto", "docker", "local"], default="auto")
    p.add_argument("--image", default="", help="test image for the docker sandbox")
    p.add_argument("--timeout", type=float, default=300.0, help="per job, wall clock, seconds")
    p.add_argument("--concurrency", type=int, default=os.cpu_count() or 1)
    p.add_argument("--generator", default="", help="command:CMD | openai:MODEL | scaffold")
    p.add_argument("--max-attempts", type=int, default=3)
    p.add_argument("--brief-template", help="Markdown template for the generator's brief "
                   "($seam_title, $scope, $feedback, … as documented)")
    p.add_argument("--regenerate", action="store_true")
    p.add_argument("--write-back", action="store_true")
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--setup", default="", help="shell command run before pytest in the sandbox")
    p.add_argument("--services", help="TOML file defining [services.<name>]")
    p.add_argument("--policy", help="audit policy TOML file")
    p.add_argument("--skip-validation", action="store_true")
    p.add_argument("--broker", default="memory", help="memory | amqp://…")
    p.add_argument("--out", help="report directory (default .seamq/runs/<run_id>)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--seed", type=int, help="run seed (default: random, recorded)")


def build_parser() -> Parser:
    parser = Parser(prog="seamq", description="Turn an integration test plan into verified, "
                    "stable integration tests.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    plan = sub.add_parser("plan", help="show how a plan is read, selected and batched")
    plan.add_argument("plan")
    plan.add_argument("--project")
    plan.add_argument("--priority", default="")
    plan.add_argument("--batch-size", type=int, default=3)
    plan.add_argument("--format", choices=["text", "json"], default="text")

    run = sub.add_parser("run", help="run a plan end to end (embedded by default)")
    _run_options(run)

    submit = sub.add_parser("submit", help="submit a run to a fleet over RabbitMQ")
    _run_options(submit)
    submit.add_argument("--wait", action="store_true", help="follow the run and write reports")
    submit.add_argument("--git-url", help="project as a git URL runners clone")
    submit.add_argument("--git-ref", default="HEAD")

    for name in ("coordinator", "runner", "auditor"):
        service = sub.add_parser(name, help=f"run the {name} service")
        service.add_argument("--broker", required=True)
        service.add_argument("--metrics-port", type=int)
        if name == "coordinator":
            service.add_argument("--state", default=".seamq/state")
        if name == "runner":
            service.add_argument("--sandbox", choices=["auto", "docker", "local"],
                                 default="auto")
            service.add_argument("--image", default="")
            service.add_argument("--concurrency", type=int, default=1)

    audit = sub.add_parser("audit", help="check test files against the testing policy")
    audit.add_argument("paths", nargs="+")
    audit.add_argument("--policy")
    audit.add_argument("--plan")
    audit.add_argument("--format", choices=["text", "json", "sarif"], default="text")

    schema = sub.add_parser("schema", help="print the message JSON Schemas")
    schema.add_argument("--asyncapi", action="store_true", help="print the AsyncAPI 3 document")
    return parser


def _configure_logging(command: str) -> None:
    from shared.logs import configure_logging
    from shared.settings import Settings

    settings = Settings()
    # One-shot commands talk through their progress view; services log everything.
    service = command in ("coordinator", "runner", "auditor")
    level = settings.log_level if service or "SEAMQ_LOG_LEVEL" in os.environ else "warning"
    configure_logging(level=level, fmt=settings.log_format)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _configure_logging(args.command)
        if args.command == "plan":
            from services.cli.commands.plan import plan_command

            return plan_command(args)
        if args.command in ("run", "submit"):
            from services.cli.commands.run import run_command

            return run_command(args)
        if args.command == "audit":
            from services.auditor.command import audit_command

            return audit_command(args.paths, args.policy, args.plan, args.format,
                                 sys.stdout, sys.stderr)
        if args.command == "schema":
            from services.cli.commands.schema import schema_command

            return schema_command(args)
        from services.cli.commands.serve import serve_command

        return serve_command(args)
    except PlanError as e:
        print(str(e), file=sys.stderr)
        return e.exit_code
    except UsageError as e:
        print(f"seamq: {e}" if not str(e).startswith("seamq") else str(e), file=sys.stderr)
        return e.exit_code
    except SeamqError as e:
        print(f"seamq: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("seamq: interrupted", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
