"""A submitted plan made into a parsed one: the coordinator reads ``plan_path`` or
``plan_text`` with the one plan reader (``shared.plan``) before anything else uses it."""

from __future__ import annotations

from pathlib import Path

from shared.contract import RunRequest
from shared.plan import read_plan, read_plan_text
from shared.project import safe_relpath


def resolve_plan(request: RunRequest, project_dir: Path) -> RunRequest:
    """``request`` with its plan parsed (``plan_path``/``plan_text`` cleared).

    Raises ``PlanError`` (``PLAN:LINE: message``) for a plan that cannot be used, and
    ``SandboxError`` for a ``plan_path`` that leaves the project."""
    if request.plan is not None:
        return request
    if request.plan_path is not None:
        plan = read_plan(project_dir / safe_relpath(request.plan_path), project_dir)
    else:
        assert request.plan_text is not None  # the contract requires exactly one of three
        plan = read_plan_text(request.plan_text, project_dir)
    return request.model_copy(update={"plan": plan, "plan_path": None, "plan_text": None})
