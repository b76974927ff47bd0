"""One seam's section of ``report.md``: what the plan says it is for, what ran, what came of
it (tests, failures, audit findings, logs) and, when it did not pass, what to do next."""

from __future__ import annotations

from collections.abc import Sequence

from services.cli.reports.cells import ICONS, cell, cell_code, code, fenced, table
from services.cli.reports.coverage_report import seam_coverage_line
from services.cli.reports.summary import clip, format_duration
from services.cli.reports.verdict import seam_next_step
from shared.contract import Attempt, SeamReport, TestResult
from shared.status import is_flaky, shown_outcome

# A gate that passed has no reason of its own; say what passing it meant.
PASSED_GATE = {"audit": "no blocking audit finding", "execute": "every repeat passed",
               "generate": "a test file was written"}


def seam_section(seam: SeamReport) -> list[str]:
    lines = [f"### {ICONS[seam.status]} {code(seam.id)} {cell(seam.title)}", ""]
    status = f"**{seam.status}**" + (f": {cell(seam.reason, 1_000)}" if seam.reason else "")
    lines.append(f"- **Status**: {status}")
    if seam.status != "passed":
        lines.append(f"- **Next step**: {seam_next_step(seam)}")
    lines.append(f"- **Priority**: {seam.priority}")
    for label, text in (("Scope", seam.scope), ("Business impact", seam.impact),
                        ("Success criteria", seam.success_criteria)):
        if text.strip():
            lines.append(f"- **{label}**: {cell(text, 1_000)}")
    generated = " (generated)" if seam.generated else ""
    lines.append(f"- **File**: {code(seam.file)}{generated}")
    if seam.shared_with:
        lines.append(f"- **Shared file**: also seam {', '.join(seam.shared_with)}")
    lines += [*_what_ran(seam), *seam_coverage_line(seam), ""]
    if seam.attempt_log:
        rows = [[str(a.number), a.phase, cell(a.status), cell(_reason(a))]
                for a in seam.attempt_log]
        lines += ["**Attempt log**", "", *table(["Attempt", "Phase", "Status", "Reason"], rows)]
    if seam.tests:
        lines += table(["Test", "Outcome", "Runs", "Duration"], [_test_row(t) for t in seam.tests])
    lines += _failures(seam.tests)
    if seam.findings:
        rows = [
            [cell_code(f"{f.path}:{f.line}"), cell_code(f.rule), f.severity, cell(f.message)]
            for f in seam.findings
        ]
        lines += ["**Audit findings**", "",
                  *table(["Location", "Rule", "Severity", "Message"], rows)]
    if seam.logs_tail and seam.status != "passed":
        tail = "\n".join(seam.logs_tail.rstrip().splitlines()[-40:])
        lines += ["<details><summary>Logs tail</summary>", "", *fenced(tail), "", "</details>", ""]
    return lines


def _what_ran(seam: SeamReport) -> list[str]:
    """Repeats and their seeds, confirmations, options seamq overrode, attempts, duration."""
    lines = []
    runs = len(seam.repeats) or len(seam.seeds)
    if runs:
        lines.append(f"- **Ran**: {runs} random-order repeat(s) in fresh processes")
    elif seam.status != "passed":
        lines.append("- **Ran**: no test of this seam ran")
    if seam.seeds:
        lines.append(f"- **Seeds**: {', '.join(str(seed) for seed in seam.seeds)}")
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
    if seam.attempts > 1:
        lines.append(f"- **Attempts**: {seam.attempts}")
    if seam.duration_s:
        lines.append(f"- **Duration**: {format_duration(seam.duration_s)}")
    return lines


def _reason(attempt: Attempt) -> str:
    if attempt.reason:
        return attempt.reason
    if attempt.status == "passed":
        return PASSED_GATE.get(attempt.phase, "passed")
    return f"{attempt.phase} {attempt.status}, no reason given"


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
