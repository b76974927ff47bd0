"""``missing-docstring``: test modules, classes and functions say what they verify.

Helpers and fixtures are exempt: they are not read as the specification of a behaviour.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from services.auditor.context import CollectedTest, ModuleContext
from services.auditor.rules.base import Hit, Rule

MISSING_DOCSTRING = Rule(
    "missing-docstring",
    "warning",
    "Test module, class or function has no docstring",
    "A test's docstring is its specification: what seam it covers (scope), why it matters "
    "(impact), how it is exercised (strategy) and what counts as passing (success criteria). "
    "Reviewers and generators read it before the code. Add a docstring to the test module, "
    "each test class and each test function; option `docstring_sections` lists words the "
    "docstrings must mention (a test's own, its class's or its module's docstring may).",
)
RULES = (MISSING_DOCSTRING,)


def _doc(node: ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return (ast.get_docstring(node) or "").strip()


def check(ctx: ModuleContext) -> Iterator[Hit]:
    if not ctx.tests:
        return
    module_doc = _doc(ctx.tree)
    if not module_doc:
        yield Hit(MISSING_DOCSTRING.id, 1, 1, "test module has no docstring stating its scope")
    for cls in ctx.test_classes:
        if not _doc(cls):
            yield MISSING_DOCSTRING.at(cls, f"test class {cls.name} has no docstring")
    sections = ctx.options.docstring_sections
    for test in ctx.tests:
        own = _doc(test.node)
        if not own:
            yield MISSING_DOCSTRING.at(test.node, f"test {test.node.name} has no docstring")
        elif sections:
            missing = _missing_sections(test, own, module_doc, sections)
            if missing:
                yield MISSING_DOCSTRING.at(
                    test.node,
                    f"docstring of {test.node.name} does not mention: {', '.join(missing)}",
                )


def _missing_sections(
    test: CollectedTest, own: str, module_doc: str, sections: tuple[str, ...]
) -> list[str]:
    text = "\n".join([own, module_doc, *(_doc(cls) for cls in test.classes)])
    return [s for s in sections if not re.search(rf"\b{re.escape(s)}", text, re.IGNORECASE)]
