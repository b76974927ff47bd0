"""``syntax-error``: a file that cannot be read or parsed is a finding, never a crash."""

from __future__ import annotations

import ast
import warnings

from services.auditor.rules.base import Hit, Rule

SYNTAX_ERROR = Rule(
    "syntax-error",
    "error",
    "Test file cannot be read or parsed",
    "The file is not valid Python (or not readable UTF-8), so no test in it can run and no "
    "other rule could check it. Fix the reported line; `python -m py_compile FILE` shows the "
    "same error.",
)
RULES = (SYNTAX_ERROR,)


def parse(content: str) -> ast.Module | Hit:
    """The module's tree, or a ``syntax-error`` hit at the offending position."""
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences and the like warn at compile time; not our findings.
            warnings.simplefilter("ignore")
            return ast.parse(content)
    except SyntaxError as e:
        return Hit(SYNTAX_ERROR.id, e.lineno or 0, e.offset or 0, f"cannot parse: {e.msg}")
    except ValueError as e:
        return Hit(SYNTAX_ERROR.id, 0, 0, f"cannot parse: {e}")


def unreadable(reason: str) -> Hit:
    """A ``syntax-error`` hit for a file that could not be read or decoded."""
    return Hit(SYNTAX_ERROR.id, 0, 0, f"cannot read: {reason}")
