"""The ``seamq`` entry point: settings read once, logging configured, one command run.

Errors become one line on stderr and the documented exit codes (4 for usage and plan
errors, 3 for internal or infrastructure errors, 2 for an interrupt).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import cast

from pydantic import ValidationError

from services.cli.arguments import COMMANDS, EXIT_USAGE, build_parser
from shared.errors import PlanError, SeamqError, UsageError
from shared.settings import Settings

CommandFunction = Callable[[argparse.Namespace, Settings], int]
SERVICES = ("coordinator", "runner", "auditor")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        problems = "; ".join(f"SEAMQ_{'__'.join(map(str, err['loc'])).upper()}: {err['msg']}"
                             for err in e.errors())
        print(f"seamq: error: {problems}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _configure_logging(command: str, settings: Settings) -> None:
    from shared.logs import configure_logging

    # One-shot commands talk through their progress view; services log everything.
    service = command in SERVICES
    level = settings.log_level if service or "SEAMQ_LOG_LEVEL" in os.environ else "warning"
    configure_logging(level=level, fmt=settings.log_format)


def _command(name: str) -> CommandFunction:
    """The command's function, from its own module (imported only when it runs)."""
    module = COMMANDS[name].module
    function = "serve_command" if module == "serve" else f"{module}_command"
    loaded = importlib.import_module(f"services.cli.commands.{module}")
    return cast(CommandFunction, getattr(loaded, function))


def main(argv: Sequence[str] | None = None) -> int:
    settings = _settings()
    args = build_parser(settings).parse_args(argv)
    try:
        _configure_logging(args.command, settings)
        return _command(args.command)(args, settings)
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
