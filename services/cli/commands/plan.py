"""``seamq plan``: how a plan is read, which seams are selected, how they are batched."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from services.cli.options import project_root
from services.cli.plan_view import plan_json, plan_text
from services.coordinator.scheduler import make_batches, select
from shared.plan.reader import read_plan
from shared.settings import Settings


def plan_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print the plan as read, the selected seams and their batches; exit 0."""
    path = Path(args.plan)
    plan = read_plan(path, project_root(path, args.project))
    selected = select(plan, args.priority)
    batches = make_batches(selected, args.batch_size)
    if args.format == "json":
        print(json.dumps(plan_json(plan, selected, batches), indent=2))
    else:
        print(plan_text(plan, selected, batches))
    return 0
