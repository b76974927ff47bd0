"""The seam brief: what a lead would hand an implementer, rendered as Markdown.

Users override the packaged template (``brief_template.md``) through
``GeneratorSpec.brief_template``; it is a ``string.Template``, so ``$$`` is a literal
dollar and unknown placeholders are left as they are. Placeholders:

``$seam_id``, ``$seam_title``, ``$priority``, ``$plan_path``, ``$seam_line``, ``$scope``,
``$impact``, ``$strategy``, ``$success_criteria``, ``$risk``, ``$notes``, ``$services``,
``$depends_on``, ``$optional_sections`` (risk, notes, services and dependencies as sections,
only those the plan states), ``$expected_tests``, ``$contracts`` (the ``.pyi`` files the plan
names, with their content), ``$fixtures`` (conftest files, their fixture names and content),
``$output_file``, ``$policy`` (the testing policy and this run's policy rules),
``$feedback`` (the previous attempt's feedback as a section; empty on attempt 1 and
appended when a template leaves it out), ``$attempt``, ``$max_attempts``, ``$repeats``.
"""

from __future__ import annotations

import ast
import json
import re
from importlib import resources
from pathlib import Path
from string import Template

from shared.contract import AuditPolicy, Seam, SeamJob

FILE_CHARS = 12_000
NOT_STATED = "(not stated in the plan)"
PYI_NAME = re.compile(r"(?<![\w./-])(\w[\w./-]*\.pyi)\b")
POLICY = """\
- **Real integration.** No mocks, stubs or fakes of the components under test: no
  `unittest.mock`, no `mocker`, no `monkeypatch` of the code under test. Exercise the real
  components the scope names.
- **Naming.** Files are named `test_<seam>_integration.py` (this one: `$output_file`);
  tests are `test_*` functions or methods of a `Test*` class.
- **Docstrings.** The module, every test class and every test carry a docstring stating its
  scope, business impact, test strategy and success criteria.
- **Real assertions** on observable behaviour: no `assert True`, no test without an
  assertion, no swallowed exceptions, no `print`, no conditional logic in tests.
- **Deterministic.** Tests are independent and pass in any order, repeatedly; wait on a
  condition with a timeout, never with `sleep`; async tests have a timeout.
- **Skips carry a reason** (`pytest.skip("why")`, `@pytest.mark.skip(reason="why")`).
- **Fixtures as they are.** Use the conftest fixtures listed in this brief; do not create, override
  or modify fixtures.
- **Leave pytest alone:** no hooks in the test module, no patching pytest, no `sys.exit`."""


def conftest_files(workspace: Path, output_path: Path) -> dict[str, str]:
    """conftest.py files that apply to ``output_path``, from the workspace root down."""
    root = workspace.resolve()
    directory = (root / output_path).resolve().parent
    if directory != root and root not in directory.parents:
        return {}
    found: dict[str, str] = {}
    for candidate in reversed([directory, *directory.parents]):
        if candidate != root and root not in candidate.parents:
            continue
        conftest = candidate / "conftest.py"
        if conftest.is_file():
            text = conftest.read_text(encoding="utf-8", errors="replace")
            found[conftest.relative_to(root).as_posix()] = text
    return found


def fixture_names(source: str) -> list[str]:
    """Names of the ``@pytest.fixture`` functions in a conftest source (``name=`` wins)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if _dotted(target).split(".")[-1] != "fixture":
                continue
            name = node.name
            for keyword in call.keywords if call else ():
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    name = str(keyword.value.value)
            if name not in names:
                names.append(name)
    return names


def contract_files(workspace: Path, seam: Seam, plan_path: str) -> list[str]:
    """The ``.pyi`` files the seam (first) and then the plan name, that exist in the workspace."""
    root = workspace.resolve()
    plan = root / plan_path
    texts = [seam.body, seam.scope, seam.strategy, seam.notes]
    if plan.is_file():
        texts.append(plan.read_text(encoding="utf-8", errors="replace"))
    found: list[str] = []
    for text in texts:
        for name in PYI_NAME.findall(text):
            for base in (root, plan.parent):
                path = (base / name).resolve()
                if path.is_file() and root in path.parents:
                    rel = path.relative_to(root).as_posix()
                    if rel not in found:
                        found.append(rel)
                    break
    return found


def render_brief(
    job: SeamJob, workspace: Path, output_rel: str, template: str | None = None
) -> str:
    """The Markdown brief for ``job``, from ``template``, the job's or the packaged one."""
    text = template or job.generator.brief_template or default_template()
    seam = job.seam
    values = {
        "seam_id": seam.id,
        "seam_title": seam.title,
        "priority": seam.label,
        "plan_path": job.plan_path,
        "seam_line": str(seam.line),
        "scope": _stated(seam.scope),
        "impact": _stated(seam.impact),
        "strategy": _stated(seam.strategy),
        "success_criteria": _stated(seam.success_criteria),
        "risk": _stated(seam.risk),
        "notes": _stated(seam.notes),
        "services": ", ".join(seam.services) or "none",
        "depends_on": ", ".join(seam.depends_on) or "none",
        "optional_sections": _optional_sections(job),
        "expected_tests": _expected(seam.expected_tests),
        "contracts": _contracts(workspace, job),
        "fixtures": _fixtures(workspace, output_rel),
        "output_file": output_rel,
        "policy": policy_statement(job.policy, output_rel),
        "feedback": feedback_section(job),
        "attempt": str(job.attempt),
        "max_attempts": str(job.generator.max_attempts),
        "repeats": str(job.execution.repeats),
    }
    brief = Template(text).safe_substitute(values)
    if job.attempt > 1 and not re.search(r"\$(feedback\b|\{feedback\})", text):
        brief = f"{brief.rstrip()}\n{values['feedback']}"
    return brief.rstrip() + "\n"


def default_template() -> str:
    """The packaged brief template."""
    return resources.files(__package__).joinpath("brief_template.md").read_text("utf-8")


def policy_statement(policy: AuditPolicy, output_rel: str) -> str:
    """The team's testing policy, plus the rules and options this run sets."""
    lines = [Template(POLICY).safe_substitute(output_file=output_rel)]
    if not policy.enabled:
        lines.append("- The audit is switched off for this run; the policy applies all the same.")
    if policy.rules or policy.options:
        lines.append("\nThis run's policy settings:")
        lines += [f"- rule `{rule}`: {severity}" for rule, severity in sorted(policy.rules.items())]
        lines += [
            f"- option `{key}`: `{json.dumps(value, default=str)}`"
            for key, value in sorted(policy.options.items())
        ]
    return "\n".join(lines)


def feedback_section(job: SeamJob) -> str:
    """The previous attempt's findings and failures as a section; empty on attempt 1."""
    if job.attempt <= 1:
        return ""
    feedback = job.feedback.strip() or "(no details were recorded)"
    return (
        "\n## Feedback from the previous attempt\n"
        f"Attempt {job.attempt - 1} was not accepted. Address every point below and keep "
        f"what worked.\n\n{feedback}\n"
    )


def _stated(text: str) -> str:
    return text.strip() or NOT_STATED


def _expected(count: int | None) -> str:
    if count is None:
        return "Not stated; write one test per success criterion."
    return f"{count} test{'s' if count != 1 else ''}."


def _optional_sections(job: SeamJob) -> str:
    seam = job.seam
    sections = [
        ("Integration risk", seam.risk.strip()),
        ("Implementation notes", seam.notes.strip()),
        ("Real services", ", ".join(seam.services)),
        ("Depends on seams", ", ".join(seam.depends_on)),
    ]
    return "".join(f"\n## {title}\n{text}\n" for title, text in sections if text)


def _contracts(workspace: Path, job: SeamJob) -> str:
    names = contract_files(workspace, job.seam, job.plan_path)
    if not names:
        return "The plan names no `.pyi` contract files; work from the scope and the code."
    parts = ["Code against these public contracts, not against internals."]
    for name in names:
        content = (workspace / name).read_text(encoding="utf-8", errors="replace")
        parts.append(f"\n### `{name}`\n```python\n{_capped(content)}\n```")
    return "\n".join(parts)


def _fixtures(workspace: Path, output_rel: str) -> str:
    files = conftest_files(workspace, Path(output_rel))
    if not files:
        return "No conftest.py applies to this file; do not create one."
    parts = [
        f"These conftest files apply to `{output_rel}`. "
        "Use them as they are; do not create or modify fixtures."
    ]
    for rel, source in files.items():
        names = ", ".join(f"`{n}`" for n in fixture_names(source)) or "no fixtures"
        parts.append(f"\n### `{rel}`: {names}\n```python\n{_capped(source)}\n```")
    return "\n".join(parts)


def _capped(text: str) -> str:
    text = text.strip("\n").rstrip()
    if len(text) <= FILE_CHARS:
        return text
    return f"{text[:FILE_CHARS]}\n# … {len(text) - FILE_CHARS} more characters not shown"


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""
