"""``--generator scaffold``: an offline skeleton that follows the plan and fails on purpose.

The skeleton has a test class whose docstring carries the seam's scope, impact, strategy
and success criteria, one test per success criterion (or per strategy bullet), the
conftest fixtures as parameters, and a ``pytest.fail`` body, so it never passes until a
person or an agent fills it in. Its seam ends ``rejected`` with the reason "scaffold only".
"""

from __future__ import annotations

import keyword
import re
import time
from pathlib import Path

from services.runner.generators.base import (
    GenerationOutcome,
    Generator,
    misplaced,
    output_rel,
)
from services.runner.generators.brief import conftest_files, fixture_names
from shared.contract import Seam, SeamJob

FAIL_MESSAGE = "seamq scaffold: not implemented — fill in this test"
BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
MAX_NAME_WORDS = 8
INDENT = "    "
NOT_STATED = "(not stated in the plan)"


class ScaffoldGenerator(Generator):
    """Writes a failing skeleton; needs no network and no agent."""

    kind = "scaffold"

    def generate(
        self, job: SeamJob, workspace: Path, output_path: Path, brief: str
    ) -> GenerationOutcome:
        started = time.monotonic()
        rel = output_rel(workspace, output_path)
        if rel is None:
            return misplaced(output_path)
        fixtures: list[str] = []
        for source in conftest_files(workspace, output_path).values():
            fixtures += [n for n in fixture_names(source) if _usable(n) and n not in fixtures]
        content = render_scaffold(job.seam, job.plan_path, fixtures)
        output_path.parent.mkdir(parents=True, exist_ok=True)
        output_path.write_text(content, encoding="utf-8")
        return GenerationOutcome(
            ok=True, content=content, reason="scaffold only", scaffold=True,
            duration_s=time.monotonic() - started,
        )


def render_scaffold(seam: Seam, plan_path: str, fixtures: list[str]) -> str:
    """The skeleton module's source for ``seam``."""
    params = ", ".join(["self", *fixtures])
    summary = [
        ("Scope", seam.scope), ("Impact", seam.impact),
        ("Strategy", seam.strategy), ("Success criteria", seam.success_criteria),
    ]
    class_doc = [seam.title or f"Seam {seam.id}", ""]
    for label, text in summary:
        class_doc += _field(label, text)
    lines = [
        _docstring([
            f"Integration tests for seam {seam.id}: {seam.title}.",
            "",
            f"Scaffold written by seamq from {plan_path} (line {seam.line}). Every test fails",
            "on purpose until a person or an agent fills it in.",
        ], ""),
        "",
        "# seamq: scaffold — replace each pytest.fail with the test's steps and assertions.",
        "",
        "import pytest",
        "",
        "",
        f"class Test{camel(seam)}Integration:",
        _docstring(class_doc, INDENT),
    ]
    used: set[str] = set()
    for item in scaffold_items(seam):
        name = _unique(_test_name(item), used)
        doc = [item, ""] + [
            f"{label}: {_one_line(text) or NOT_STATED}" for label, text in summary[:3]
        ]
        lines += [
            "",
            f"{INDENT}def {name}({params}):",
            _docstring(doc, INDENT * 2),
            f'{INDENT * 2}pytest.fail("{FAIL_MESSAGE}")',
        ]
    return "\n".join(lines) + "\n"


def scaffold_items(seam: Seam) -> list[str]:
    """One line per success criterion, else per strategy bullet, else the seam itself."""
    for text in (seam.success_criteria, seam.strategy):
        items = [BULLET.sub("", line).strip() for line in text.splitlines()]
        items = [item for item in items if item]
        if items:
            return items
    return [f"{seam.title or seam.id} works end to end"]


def camel(seam: Seam) -> str:
    """``API → Service cache`` -> ``APIServiceCache``; falls back to ``Seam<id>``."""
    words = re.findall(r"[A-Za-z0-9]+", seam.title) or re.findall(r"[A-Za-z0-9]+", seam.id)
    name = "".join(word[:1].upper() + word[1:] for word in words)
    return name if name[:1].isalpha() else f"Seam{name}"


def _test_name(item: str) -> str:
    words = re.findall(r"[a-z0-9]+", item.lower())[:MAX_NAME_WORDS]
    return "test_" + ("_".join(words) or "seam")


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}_{n}", n + 1
    used.add(candidate)
    return candidate


def _usable(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


def _one_line(text: str) -> str:
    return "; ".join(BULLET.sub("", line).strip() for line in text.splitlines() if line.strip())


def _field(label: str, text: str) -> list[str]:
    """``Label: text`` for one line; ``Label:`` and the lines indented for several."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) <= 1:
        return [f"{label}: {lines[0] if lines else NOT_STATED}"]
    return [f"{label}:", *(INDENT + line for line in lines)]


def _docstring(lines: list[str], indent: str) -> str:
    """A triple-quoted docstring, escaped, with the closing quotes on their own line."""
    body = [line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') for line in lines]
    text = "\n".join(f"{indent}{line}" if line else "" for line in body)
    return f'{indent}"""{text.lstrip()}\n{indent}"""'
