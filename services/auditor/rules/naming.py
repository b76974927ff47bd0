"""``file-naming``: test files carry the name the plan expects, or the policy's pattern.

Off by default: with a plan (``seamq audit --plan``) a file must be one the plan names;
otherwise only a policy's ``naming_pattern`` turns it on (``test_*_integration.py`` is the
usual choice, and then a seam's file is ``test_<seam>_integration.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from services.auditor.context import ModuleContext
from services.auditor.rules.base import Hit, Rule
from shared.plan.outputs import convention_name

FILE_NAMING = Rule(
    "file-naming",
    "warning",
    "Test file name does not follow the naming convention",
    "Integration test files are named `test_<seam>_integration.py` (option `naming_pattern`) "
    "so that a seam's tests are found by name and never mixed with unit tests. When a plan or "
    "a seam is given, the file must carry the name the plan expects. Rename the file.",
)
RULES = (FILE_NAMING,)

def check(ctx: ModuleContext) -> Iterator[Hit]:
    name = ctx.filename
    if ctx.expected_names:
        if name not in ctx.expected_names:
            expected = sorted(ctx.expected_names)
            shown = ", ".join(expected[:5])
            if len(expected) > 5:
                shown += f" and {len(expected) - 5} more"
            yield FILE_NAMING.at(None, f"{name} is not a test file the plan names ({shown})")
    elif not ctx.options.naming_pattern:
        return
    elif ctx.seam_slug:
        wanted = convention_name(ctx.seam_slug, ctx.seam_slug)
        if name != wanted:
            yield FILE_NAMING.at(None, f"{name} should be named {wanted} for its seam")
    elif not fnmatchcase(name, ctx.options.naming_pattern):
        pattern = ctx.options.naming_pattern
        yield FILE_NAMING.at(None, f"{name} does not match the naming pattern {pattern!r}")
