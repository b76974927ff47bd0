"""``report.md``: the run report for people, rendered as GitHub-flavoured Markdown.

Layout: title and run facts, a summary by priority, one section per seam (status, reason,
file, attempts, seeds, tests and their repeats, failures, audit findings), batch and suite
validation with the count check, and a closing "Known issues" list with one line per
problem so a reader can act without scrolling through the details.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from services.cli.reports.conflicts import conflict_lines
from services.cli.reports.markdown_text import cell, cell_code, code, fenced, table
from services.cli.reports.summary import (
    clip,
    counts_by_priority,
    format_duration,
    one_line,
)
from shared.contract import (
    PRIORITY_NAMES,
    TERMINAL_STATUSES,
    RunReport,
    SeamReport,
    SuiteReport,
    TestResult,
)
from shared.status import is_flaky, shown_outcome

ICONS = {
    "passed": "✅",
    "failed": "❌",
    "flaky": "🔁",
    "rejected": "🚫",
    "missing": "❓",
    "error": "💥",
    "interrupted": "⏹️",
    "isolated": "✅",
    "conflict": "❌",
    "skipped": "⏭️",
}


def render_markdown(report: RunReport) -> str:
    """The whole ``report.md`` for a run."""
    parts = [
        *_header(report),
        *_summary(report),
        "## Seams",
        "",
        *(line for seam in report.seams for line in _seam(seam)),
        *_validation(report),
        *_warnings(report),
        *_known_issues(report),
    ]
    return "\n".join(parts).rstrip() + "\n"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _header(report: RunReport) -> list[str]:
    icon = ICONS.get(report.status, "")
    lines = [f"# seamq run {code(report.run_id)}: {icon} {report.status}", ""]
    if report.cause:
        lines.append(f"- **Cause**: {report.cause}")
    lines.append(f"- **Plan**: {code(report.plan)}")
    env = report.environment
    for where in env.sandboxes:
        lines.append(f"- **Sandbox**: {where}")
    if env.python or env.pytest:
        lines.append(f"- **Inside the sandbox**: Python {', '.join(env.python) or '?'}, "
                     f"pytest {', '.join(env.pytest) or '?'}")
    if report.started_at:
        lines.append(f"- **Started**: {_when(report.started_at)}")
    if report.finished_at:
        lines.append(f"- **Finished**: {_when(report.finished_at)}")
    if report.started_at and report.finished_at >= report.started_at:
        lines.append(f"- **Duration**: {format_duration(report.finished_at - report.started_at)}")
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
    rows = [[label, *(str(row[k]) for k in keys)]
            for label, row in counts_by_priority(report.seams).items()]
    total = [str(sum(summary.seams.values())),
             *(str(summary.seams.get(s, 0)) for s in TERMINAL_STATUSES)]
    return [*lines, *table(header, [*rows, ["**Total**", *(f"**{n}**" for n in total)]])]


def _seam(seam: SeamReport) -> list[str]:
    lines = [f"### {ICONS[seam.status]} {code(seam.id)} {cell(seam.title)}", ""]
    status = f"**{seam.status}**" + (f": {cell(seam.reason, 1_000)}" if seam.reason else "")
    generated = " (generated)" if seam.generated else ""
    lines += [
        f"- **Status**: {status}",
        f"- **Priority**: {seam.priority}",
        f"- **File**: {code(seam.file)}{generated}",
        f"- **Attempts**: {seam.attempts}",
    ]
    if seam.seeds:
        lines.append(f"- **Seeds**: {', '.join(str(seed) for seed in seam.seeds)}")
    if seam.shared_with:
        lines.append(f"- **Shared file**: also seam {', '.join(seam.shared_with)}")
    if seam.confirmations:
        lines.append(f"- **Confirmed alone**: {len(seam.confirmations)} more run(s) of the "
                     "tests that failed every repeat")
    for override in seam.overridden:
        lines.append(f"- **Overridden by seamq**: {cell_code(override.option)}: "
                     f"{cell(override.why)}")
    if seam.environment is not None:
        how = (f"built in {format_duration(seam.environment.build_s)}"
               if seam.environment.built else "reused")
        lines.append(f"- **Environment**: {code(seam.environment.tag)} ({how})")
    if seam.services:
        started = ", ".join(f"{code(s.name)} ({cell(s.image)}, ready in "
                            f"{format_duration(s.startup_s)})" for s in seam.services)
        lines.append(f"- **Services**: {started}")
    if seam.duration_s:
        lines.append(f"- **Duration**: {format_duration(seam.duration_s)}")
    lines.append("")
    if seam.attempt_log:
        rows = [[str(a.number), a.phase, cell(a.status), cell(a.reason)] for a in seam.attempt_log]
        lines += ["**Attempt log**", "", *table(["Attempt", "Phase", "Status", "Reason"], rows)]
    if seam.tests:
        rows = [_test_row(test) for test in seam.tests]
        lines += table(["Test", "Outcome", "Runs", "Duration"], rows)
    lines += _failures(seam.tests)
    if seam.findings:
        lines += ["**Audit findings**", ""]
        rows = [
            [cell_code(f"{f.path}:{f.line}"), cell_code(f.rule), f.severity, cell(f.message)]
            for f in seam.findings
        ]
        lines += table(["Location", "Rule", "Severity", "Message"], rows)
    if seam.logs_tail and seam.status != "passed":
        tail = "\n".join(seam.logs_tail.rstrip().splitlines()[-40:])
        lines += ["<details><summary>Logs tail</summary>", "", *fenced(tail), "", "</details>", ""]
    return lines


def _test_row(test: TestResult) -> list[str]:
    outcome = shown_outcome(test)
    runs = " ".join(ICONS.get(run, run) for run in test.runs)
    return [cell_code(test.name), f"{ICONS.get(outcome, '')} {outcome}", runs,
            format_duration(test.duration_s)]


def _failures(tests: Sequence[TestResult]) -> list[str]:
    failing = [t for t in tests if t.outcome in ("failed", "error") or is_flaky(t)]
    if not failing:
        return []
    lines = ["**Failures**", ""]
    for test in failing:
        where = f" ({code(f'{test.file}:{test.line}')})" if test.file else ""
        lines.append(f"{code(test.name)}{where}: {shown_outcome(test)}")
        lines += ["", *fenced(clip(test.message or "(no message)")), ""]
    return lines


def _validation(report: RunReport) -> list[str]:
    lines = ["## Validation", "", "### Batches", ""]
    if report.batches:
        rows = [
            [str(i), ", ".join(cell_code(s) for s in b.seams), f"{ICONS[b.status]} {b.status}",
             "" if b.seed is None else str(b.seed), cell(b.detail)]
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
    return [*lines, *table(["", "Plan", "Found"], rows)]


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
    issues = [
        f"- {code(s.id)} ({s.priority}) **{s.status}**: {cell(one_line(s.reason)) or 'no reason'}"
        for s in sorted(report.seams, key=_issue_order)
        if s.status != "passed"
    ]
    issues += [
        f"- Batch {i} ({', '.join(code(s) for s in b.seams)}) **{b.status}**: "
        f"{cell(one_line(b.detail)) or 'no detail'}"
        for i, b in enumerate(report.batches, 1)
        if b.status in ("conflict", "error")
    ]
    suite = report.suite
    if suite.status in ("conflict", "error"):
        issues.append(f"- Suite **{suite.status}**: {cell(one_line(suite.detail)) or 'no detail'}")
    if suite.count_check and not suite.count_check.ok:
        detail = cell(one_line(suite.count_check.detail)) or "plan and suite counts differ"
        issues.append(f"- Count check **mismatch**: {detail}")
    return ["## Known issues", "", *(issues or ["None."]), ""]


def _issue_order(seam: SeamReport) -> tuple[int, int]:
    names: tuple[str, ...] = PRIORITY_NAMES
    priority = names.index(seam.priority) if seam.priority in names else len(names)
    return priority, TERMINAL_STATUSES.index(seam.status)
