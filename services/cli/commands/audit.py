"""``seamq audit``: the CLI adapter of the auditor's command (``services.auditor.command``)."""

from __future__ import annotations

import argparse
import sys

from services.auditor.command import audit_command as run_audit
from shared.settings import Settings


def audit_command(args: argparse.Namespace, settings: Settings) -> int:
    """Audit the given paths like a linter; exit 0 (clean), 1 (errors found) or 4."""
    return run_audit(args.paths, args.policy, args.plan, args.format, sys.stdout, sys.stderr)
