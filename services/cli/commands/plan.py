"""``seamq plan``: how a plan is read, which seams are selected, how they are batched."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from services.cli.options import parse_priorities, project_root
from services.cli.plan_view import plan_json, plan_text
from services.coordinator.scheduler import make_batches, select
from shared.errors import UsageError
from shared.plan.reader import read_plan


def plan_command(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        raise UsageError(f"--batch-size: must be positive, got {args.batch_size}")
    path = Path(args.plan)
    plan = read_plan(path, project_root(path, args.project))
    selected = select(plan, parse_priorities(args.priority))
    batches = make_batches(selected, args.batch_size)
    if args.format == "json":
        print(json.dumps(plan_json(plan, selected, batches), indent=2))
    else:
        print(plan_text(plan, selected, batches))
    return 0
