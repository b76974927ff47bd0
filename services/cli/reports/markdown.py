"""``report.md``: the run report for a person, rendered as GitHub-flavoured Markdown.

Layout: the verdict with its reasons in one paragraph, what to do next, the environment and
how to re-run, a summary by priority, one section per seam (``seam_section``), batch and
suite validation with each conflict's evidence and reproduce command, the count check, and
"Known issues", one line per problem with its next step.
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.cli.reports.cells import ICONS, cell, cell_code, code, table
from services.cli.reports.conflicts import conflict_lines
from services.cli.reports.coverage_report import coverage_section
from services.cli.reports.seam_section import seam_section
from services.cli.reports.summary import counts_by_priority, format_duration, one_line
from services.cli.reports.verdict import next_steps, seam_next_step, verdict
from shared.contract import (
    PRIORITY_NAMES,
    TERMINAL_STATUSES,
    RunReport,
    SeamReport,
    SuiteReport,
)
from shared.coverage import percent

__all__ = ["render_markdown"]


def render_markdown(report: RunReport) -> str:
    """The whole ``report.md`` for a run."""
    steps = next_steps(report)
    parts = [
        f"# seamq run {code(report.run_id)}: {ICONS.get(report.status, '')} {report.status}",
        "",
        verdict(report),
        "",
        *(["## What to do next", "", *(f"- {cell(step, 2_000)}" for step in steps), ""]
          if steps else []),
        *_environment(report),
        *_summary(report),
        "## Seams",
        "",
        *(line for seam in report.seams for line in seam_section(seam)),
        *coverage_section(report),
        *_validation(report),
        *_warnings(report),
        *_known_issues(report),
    ]
    return "\n".join(parts).rstrip() + "\n"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _environment(report: RunReport) -> list[str]:
    """Where and when it ran, and the command that runs it again."""
    lines = ["## Environment", ""]
    if report.cause:
        lines.append(f"- **Cause**: {report.cause}")
    lines.append(f"- **Plan**: {code(report.plan)}")
    env = report.environment
    sandboxes = env.sandboxes or ("none: no test job ran",)
    lines += [f"- **Sandbox**: {where}" for where in sandboxes]
    if env.python or env.pytest:
        lines.append(f"- **Inside the sandbox**: Python {', '.join(env.python) or '?'}, "
                     f"pytest {', '.join(env.pytest) or '?'}")
    if report.started_at:
        lines.append(f"- **Started**: {_when(report.started_at)}")
    if report.finished_at:
        lines.append(f"- **Finished**: {_when(report.finished_at)}")
    if report.started_at and report.finished_at >= report.started_at:
        lines.append(f"- **Duration**: {format_duration(report.finished_at - report.started_at)}")
    lines.append(f"- **Re-run**: {code(f'seamq run {report.plan}')} from the project root "
                 "(add the options this run used)")
    return [*lines, ""]


def _summary(report: RunReport) -> list[str]:
    summary = report.summary
    seams = ", ".join(f"{n} {status}" for status, n in summary.seams.items() if n)
    tests = ", ".join(f"{n} {outcome}" for outcome, n in summary.tests.items() if n)
    lines = [
        "## Summary",
        "",
        f"**{sum(summary.seams.values())} seams**: {seams or 'none'}. "
        f"**{sum(summary.tests.values())} tests**: {tests or 'none'}.",
        "",
    ]
    header = ["Priority", "Seams", *(s.capitalize() for s in TERMINAL_STATUSES)]
    keys = ("seams", *TERMINAL_STATUSES)
    merged = report.coverage
    # A coverage column when the run measured coverage (merged per priority).
    extra: dict[str, list[str]] = {}
    if merged is not None:
        header.append("Coverage")
        by_priority = {str(k): v for k, v in merged.by_priority.items()}
        extra = {label: [percent(by_priority.get(label))] for label in (*PRIORITY_NAMES,
                                                                        "deferred")}
        extra["total"] = [percent(merged.rates.total)]
    # A priority the run selected no seam of has no row.
    rows = [[label, *(str(row[k]) for k in keys), *extra.get(label, [])]
            for label, row in counts_by_priority(report.seams).items() if row["seams"]]
    total = [str(sum(summary.seams.values())),
             *(str(summary.seams.get(s, 0)) for s in TERMINAL_STATUSES), *extra.get("total", [])]
    return [*lines, *table(header, [*rows, ["**Total**", *(f"**{n}**" for n in total)]])]


def _validation(report: RunReport) -> list[str]:
    lines = ["## Validation", "", "### Batches", ""]
    if report.batches:
        rows = [
            [str(i), ", ".join(cell_code(s) for s in b.seams), f"{ICONS[b.status]} {b.status}",
             "—" if b.seed is None else str(b.seed), cell(b.detail) or "—"]
            for i, b in enumerate(report.batches, 1)
        ]
        lines += table(["Batch", "Seams", "Status", "Seed", "Detail"], rows)
    else:
        lines += ["No batch validation ran.", ""]
    return [*lines, *_suite(report.suite)]


def _suite(suite: SuiteReport) -> list[str]:
    seed = f" (seed {suite.seed})" if suite.seed is not None else ""
    lines = ["### Suite", "", f"{ICONS[suite.status]} **{suite.status}**{seed}"]
    if suite.detail and not suite.conflicts:
        lines += ["", cell(suite.detail, 2_000)]
    lines += ["", *conflict_lines(suite.conflicts)]
    lines += ["### Count check", ""]
    check = suite.count_check
    if check is None:
        return [*lines, "No count check ran.", ""]
    expected = "—" if check.expected_tests is None else str(check.expected_tests)
    lines.append(f"{'✅ ok' if check.ok else '❌ mismatch'}" + (
        f": {cell(check.detail, 1_000)}" if check.detail else ""))
    lines.append("")
    rows = [["Seams / files", str(check.plan_seams), str(check.files)],
            ["Tests", expected, str(check.collected_tests)]]
    return [*lines, *table(["Counted", "Plan", "Found"], rows)]


def _warnings(report: RunReport) -> list[str]:
    if not report.warnings and not report.generated_files:
        return []
    lines: list[str] = []
    if report.warnings:
        lines += ["## Plan warnings", ""]
        lines += [
            f"- {code(f'{report.plan}:{w.line}')} {cell(w.message)}"
            for w in report.warnings
        ]
        lines.append("")
    if report.generated_files:
        lines += ["## Generated files", ""]
        lines += [f"- {code(path)}" for path in sorted(report.generated_files)]
        lines.append("")
    return lines


def _known_issues(report: RunReport) -> list[str]:
    """One line per problem, whole: what it is and the next step."""
    issues = [
        f"- {code(s.id)} ({s.priority}) **{s.status}**: {_whole(s.reason) or 'no reason given'}"
        f". Next: {cell(seam_next_step(s), 2_000)}"
        for s in sorted(report.seams, key=_issue_order)
        if s.status != "passed"
    ]
    conflict = ("reproduce it with its command under “What to do next”, then make the "
                "polluting test clean up after itself")
    for i, b in enumerate(report.batches, 1):
        if b.status in ("conflict", "error"):
            step = conflict if b.status == "conflict" else "see the batch's detail above"
            issues.append(f"- Batch {i} ({', '.join(code(s) for s in b.seams)}) "
                          f"**{b.status}**: {_whole(b.detail) or 'no detail'}. Next: {step}")
    suite = report.suite
    if suite.status in ("conflict", "error"):
        step = conflict if suite.status == "conflict" else "see the suite's detail above"
        issues.append(f"- Suite **{suite.status}**: {_whole(suite.detail) or 'no detail'}. "
                      f"Next: {step}")
    if suite.count_check and not suite.count_check.ok:
        detail = _whole(suite.count_check.detail) or "plan and suite counts differ"
        issues.append(f"- Count check **mismatch**: {detail}. Next: make the plan's expected "
                      "counts match the files")
    return ["## Known issues", "", *(issues or ["None."]), ""]


def _whole(text: str) -> str:
    """A detail's first line for a list item: whole, so no test's name is cut."""
    return cell(one_line(text, 4_000), 4_000)


def _issue_order(seam: SeamReport) -> tuple[int, int]:
    names: tuple[str, ...] = PRIORITY_NAMES
    priority = names.index(seam.priority) if seam.priority in names else len(names)
    return priority, TERMINAL_STATUSES.index(seam.status)
