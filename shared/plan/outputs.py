"""Output file paths: the path a field names, where it lies, the files beside a plan, and
the naming convention. Results are POSIX paths relative to the project root."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from shared.plan.markdown import slugify

_PY_PATH = re.compile(r"(?:[\w.-]+/)*[\w.-]+\.py\b")


def field_path(value: str) -> str | None:
    """The path an ``Output File`` field names (backticks and bold stripped), if any."""
    text = value[:2_000].replace("`", " ").replace("*", " ").replace('"', " ").replace("'", " ")
    match = _PY_PATH.search(" ".join(text.replace("\\", "/").split()))
    return match.group(0) if match else None


def project_path(raw: str, plan_dir: Path, root: Path) -> str | None:
    """``raw`` (relative to the plan's directory) relative to ``root``; None when outside."""
    joined = os.path.normpath(os.path.join(plan_dir, raw))
    try:
        relative = Path(joined).relative_to(root)
    except ValueError:
        return None
    posix = PurePosixPath(relative.as_posix())
    return None if str(posix) in ("", ".") else str(posix)


def resolve_named(raw: str, plan_dir: Path, root: Path) -> tuple[str | None, str]:
    """A path a plan names, read relative to the plan's folder or to the project root.

    The folder wins when the file exists there; the root wins when the file exists there,
    or when the path starts with the plan folder's own name (``tests/test_x.py`` in a plan
    that lives in ``tests/``). Returns the project-relative path (None when outside the
    project) and which base was used.
    """
    from_plan = project_path(raw, plan_dir, root)
    from_root = project_path(raw, root, root)
    if from_plan is not None and (root / from_plan).is_file():
        return from_plan, "the plan's folder"
    if from_root is not None and (root / from_root).is_file():
        return from_root, "the project root"
    first = PurePosixPath(raw.replace("\\", "/")).parts[:1]
    if from_root is not None and plan_dir != root and first == (plan_dir.name,):
        return from_root, "the project root"
    return from_plan, "the plan's folder"


def existing_tests(plan_dir: Path) -> list[str]:
    """Names of the ``test_*.py`` files beside the plan, sorted (none if unreadable)."""
    try:
        with os.scandir(plan_dir) as entries:
            return sorted(e.name for e in entries
                          if e.name.startswith("test_") and e.name.endswith(".py") and e.is_file())
    except OSError:
        return []


def convention_name(title: str, seam_id: str) -> str:
    """``test_<slug>_integration.py`` from the seam title (the id when the title has no words)."""
    slug = slugify(title, "_", 60) or slugify(seam_id, "_", 60) or "seam"
    return f"test_{slug.removesuffix('_integration')}_integration.py"
