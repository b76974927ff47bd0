"""Turn parsed command-line options into the contract's RunRequest, and the broker URL."""

from __future__ import annotations

import argparse
import secrets
import time
from pathlib import Path

from services.cli.coverage_config import load_coverage
from services.cli.project_config import check_services, load_environment, load_services
from services.runner.generators import parse_generator
from shared.contract import (
    ExecutionSpec,
    GeneratorSpec,
    ProjectSource,
    RunRequest,
)
from shared.errors import UsageError
from shared.files import CONFIG_CAP, UnsafeFileError, read_text_capped
from shared.plan.reader import read_plan
from shared.settings import Settings

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


def project_root(plan: Path, explicit: str | None) -> Path:
    """``--project``, else the nearest folder above the plan with a project marker."""
    if explicit:
        root = Path(explicit).resolve()
        if not root.is_dir():
            raise UsageError(f"--project: {explicit} is not a directory")
        return root
    start = plan.resolve().parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return start


def broker_url(args: argparse.Namespace, settings: Settings) -> str:
    """``--broker``, else ``SEAMQ_BROKER_URL`` (a secret: it is never shown in ``--help``)."""
    url: str | None = args.broker
    return url if url else settings.broker_url.get_secret_value()


def build_request(args: argparse.Namespace, run_id: str | None = None) -> RunRequest:
    """Read the plan and options into a RunRequest (usage errors raise UsageError).

    The options arrive converted and range-checked (``services.cli.converters``)."""
    from services.auditor.policy import load_policy

    plan_path = Path(args.plan)
    root = project_root(plan_path, args.project)
    plan = read_plan(plan_path, root)
    generator: GeneratorSpec = parse_generator(args.generator)
    template = ""
    if args.brief_template:
        try:
            template = read_text_capped(args.brief_template, CONFIG_CAP)
        except (OSError, UnsafeFileError) as e:
            raise UsageError(f"--brief-template: cannot read {args.brief_template}: {e}") from e
    generator = generator.model_copy(update={"max_attempts": args.max_attempts,
                                             "regenerate": args.regenerate,
                                             "timeout_s": args.timeout,
                                             "brief_template": template})
    services = load_services(root, args.services)
    check_services(plan, plan_path, services)
    execution = ExecutionSpec(
        sandbox=args.sandbox,
        image=args.image,
        timeout_s=args.timeout,
        repeats=args.repeats,
        confirm=args.confirm,
        env=dict(args.env),
        setup=args.setup,
        services=services,
        environment=load_environment(root, getattr(args, "rebuild_env", False)),
        coverage=load_coverage(root, getattr(args, "cov", None) or ()),
    )
    git_url = getattr(args, "git_url", None)
    project = (ProjectSource(kind="git", url=git_url, ref=args.git_ref) if git_url
               else ProjectSource(kind="path", path=str(root)))
    return RunRequest(
        run_id=run_id or new_run_id(),
        plan=plan,
        project=project,
        priorities=args.priority,
        batch_size=args.batch_size,
        execution=execution,
        generator=generator,
        policy=load_policy(root, Path(args.policy) if args.policy else None),
        skip_validation=args.skip_validation,
        no_cache=args.no_cache,
        submitted_by="seamq-cli",
    )
