"""Output file resolution: explicit field, a path in the body, an existing file, convention.

Paths in a plan are relative to the plan's directory; the results are POSIX paths relative
to the project root.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from shared.plan.markdown import Line, slugify

_TEST_PATH = re.compile(r"(?<![\w/.\\-])((?:[\w.-]+/)*test_[\w-]*\.py)(?![\w/])")
_PY_PATH = re.compile(r"(?:[\w.-]+/)*[\w.-]+\.py\b")
_WORD = re.compile(r"[a-z0-9]+")
_INSIGNIFICANT = frozenset({
    "test", "tests", "integration", "and", "the", "for", "with", "from", "into", "via", "seam",
})


def field_path(value: str) -> str | None:
    """The path an ``Output File`` field names (backticks and bold stripped), if any."""
    text = value[:2_000].replace("`", " ").replace("*", " ").replace('"', " ").replace("'", " ")
    match = _PY_PATH.search(" ".join(text.replace("\\", "/").split()))
    return match.group(0) if match else None


def body_path(lines: Sequence[Line]) -> str | None:
    """The first ``test_*.py`` path named in a seam, preferring text outside code blocks."""
    for want_code in (False, True):
        for line in lines:
            if line.code == want_code:
                match = _TEST_PATH.search(line.text.replace("\\", "/"))
                if match:
                    return match.group(1)
    return None


def project_path(raw: str, plan_dir: Path, root: Path) -> str | None:
    """``raw`` (relative to the plan's directory) relative to ``root``; None when outside."""
    joined = os.path.normpath(os.path.join(plan_dir, raw))
    try:
        relative = Path(joined).relative_to(root)
    except ValueError:
        return None
    posix = PurePosixPath(relative.as_posix())
    return None if str(posix) in ("", ".") else str(posix)


def existing_tests(plan_dir: Path) -> list[str]:
    """Names of the ``test_*.py`` files beside the plan, sorted (none if unreadable)."""
    try:
        with os.scandir(plan_dir) as entries:
            return sorted(e.name for e in entries
                          if e.name.startswith("test_") and e.name.endswith(".py") and e.is_file())
    except OSError:
        return []


def _tokens(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    significant = {w for w in words if len(w) >= 3 and w not in _INSIGNIFICANT}
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in significant}


def _file_tokens(name: str) -> set[str]:
    return _tokens(name.removesuffix(".py").replace("_", " "))


def assign_matches(titles: Mapping[str, str], candidates: Iterable[str]) -> dict[str, str]:
    """Match seams (id -> title, in plan order) to existing files, each file at most once.

    A match needs at least one shared significant word (three or more characters, not
    test/integration) between the title and the file stem. The best-scoring pairs are
    settled first; ties go to the earlier seam, then to the alphabetically first file.
    """
    files = {name: _file_tokens(name) for name in candidates}
    pairs = sorted(
        (-score, order, name, seam_id)
        for order, (seam_id, title) in enumerate(titles.items())
        for wanted in (_tokens(title),)
        for name, tokens in files.items()
        if (score := len(wanted & tokens))
    )
    matched: dict[str, str] = {}
    taken: set[str] = set()
    for _, _, name, seam_id in pairs:
        if seam_id not in matched and name not in taken:
            matched[seam_id] = name
            taken.add(name)
    return matched


def convention_name(title: str, seam_id: str) -> str:
    """``test_<slug>_integration.py`` from the seam title (the id when the title has no words)."""
    slug = slugify(title, "_", 60) or slugify(seam_id, "_", 60) or "seam"
    return f"test_{slug.removesuffix('_integration')}_integration.py"
