"""Test file names a plan expects, read from the Markdown alone (``seamq audit --plan``).

This is deliberately not the coordinator's plan parser (services do not import each
other): it collects every ``test_*.py`` name written in the plan, plus the conventional
``test_<slug>_integration.py`` of each seam heading (levels 2-4 carrying the word SEAM,
title after the colon). Files a plan resolves by matching existing files are not known here.
"""

from __future__ import annotations

import re
from pathlib import Path

from services.auditor.rules.naming import seam_file_name
from shared.errors import UsageError

_HEADING = re.compile(r"^#{2,4}\s+(.+?)\s*#*\s*$")
_SEAM = re.compile(r"\bSEAM\b", re.IGNORECASE)
_FILE = re.compile(r"\btest_[A-Za-z0-9_]+\.py\b")


def expected_names(plan: Path) -> set[str]:
    """File names the plan names or implies; a plan that cannot be read is a ``UsageError``."""
    try:
        text = plan.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{plan}: cannot read plan: {getattr(e, 'strerror', None) or e}") from None
    names = set(_FILE.findall(text))
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading and _SEAM.search(heading.group(1)) and ":" in heading.group(1):
            title = heading.group(1).split(":", 1)[1].replace("*", "").strip()
            if title:
                names.add(seam_file_name(title))
    return names
