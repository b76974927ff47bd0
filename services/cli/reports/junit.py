"""``junit.xml``: one merged JUnit file that GitHub, GitLab and Jenkins ingest.

One ``<testsuite>`` per seam; each test keeps its ``file`` and ``line``. A flaky test is
a ``<failure>`` (the seam is not stable, so CI must not show it green). A seam that is not
passed but has no failing test case to show it (missing, rejected, error, …) gets one
synthetic test case named after the seam that carries the reason. Batch and suite
validation and the count check, when they ran, form a last ``seamq validation`` suite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from services.cli.reports.summary import clip, one_line, plain
from shared.contract import (
    BatchReport,
    Finding,
    RunReport,
    SeamReport,
    SuiteReport,
    TestResult,
)
from shared.status import is_flaky

_COUNTED = ("failure", "error", "skipped")


def junit_bytes(report: RunReport) -> bytes:
    """The ``junit.xml`` document for a run, UTF-8 with an XML declaration."""
    root = render_junit(report)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def render_junit(report: RunReport) -> ET.Element:
    """The ``<testsuites>`` element for a run: seams first, then validation."""
    root = ET.Element("testsuites", name="seamq")
    suites = [_seam_suite(seam) for seam in report.seams]
    validation = _validation_suite(report)
    if validation is not None:
        suites.append(validation)
    stamp = _timestamp(report.started_at)
    for suite in suites:
        if stamp:
            suite.set("timestamp", stamp)
        root.append(suite)
    # <testsuites> has no "skipped" attribute in the JUnit schema; each suite has its own.
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in suites)))
    root.set("time", _seconds(sum(float(suite.get("time", "0")) for suite in suites)))
    return root


def _seam_suite(seam: SeamReport) -> ET.Element:
    suite = _element("testsuite", name=f"{seam.id}: {seam.title}", file=seam.file)
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("seam_id", seam.id),
        ("priority", seam.priority),
        ("status", seam.status),
        ("reason", seam.reason),
        ("attempts", str(seam.attempts)),
        ("generated", str(seam.generated).lower()),
        ("seeds", " ".join(str(seed) for seed in seam.seeds)),
    ):
        properties.append(_element("property", name=name, value=value))
    cases = [_test_case(seam, test) for test in seam.tests]
    shows_problem = any(case.find("failure") is not None or case.find("error") is not None
                        for case in cases)
    if seam.status != "passed" and (not shows_problem or seam.findings):
        cases.append(_seam_case(seam))
    if seam.status == "rejected":
        cases += [_finding_case(f) for f in seam.findings if f.severity == "error"]
    suite.extend(cases)
    time = seam.duration_s or sum(test.duration_s for test in seam.tests)
    return _counted(suite, cases, time)


def _locate(file: str, name: str) -> tuple[str, str, str]:
    """File, classname and test name of a pytest node id (``tests/a.py::Class::test``)."""
    parts = name.split("::")
    if len(parts) > 1 and parts[0].endswith(".py"):
        file = file or parts[0]
        parts = parts[1:]
    module = re.sub(r"\.py$", "", file).replace("/", ".").replace("\\", ".")
    classname = ".".join([module, *parts[:-1]]) if module else ".".join(parts[:-1])
    return file, classname, parts[-1]


def _test_case(seam: SeamReport, test: TestResult) -> ET.Element:
    file, classname, name = _locate(test.file or seam.file, test.name)
    case = _element("testcase", classname=classname, name=name, file=file)
    if test.line:
        case.set("line", str(test.line))
    case.set("time", _seconds(test.duration_s))
    message = test.message or ""
    if is_flaky(test):
        passed = sum(1 for run in test.runs if run == "passed")
        summary = "flaky: outcomes differ between runs"
        if test.runs:
            summary = f"flaky: passed {passed} of {len(test.runs)} runs ({', '.join(test.runs)})"
        _child(case, "failure", summary, f"{summary}\n\n{message}".rstrip(), kind="flaky")
    elif test.outcome == "failed":
        _child(case, "failure", one_line(message, 1_000) or "failed", message)
    elif test.outcome == "error":
        _child(case, "error", one_line(message, 1_000) or "error", message)
    elif test.outcome == "skipped":
        case.append(_element("skipped", message=one_line(message, 1_000)))
    return case


def _seam_case(seam: SeamReport) -> ET.Element:
    """The synthetic case that makes a non-passed seam visible in CI."""
    case = _element("testcase", classname="seamq.seams", name=f"{seam.id}: {seam.title}",
                    file=seam.file, time=_seconds(seam.duration_s))
    details = [seam.reason] if seam.reason else []
    details += [f"{f.path}:{f.line}: {f.rule} [{f.severity}] {f.message}" for f in seam.findings]
    if seam.logs_tail:
        details += ["", "logs tail:", seam.logs_tail]
    summary = f"{seam.status}: {one_line(seam.reason, 1_000) or 'no reason given'}"
    _child(case, "error" if seam.status == "error" else "failure", summary, "\n".join(details),
           kind=seam.status)
    return case


def _finding_case(finding: Finding) -> ET.Element:
    """A blocking audit finding, at its file and line, so CI annotates the source."""
    case = _element("testcase", classname="seamq.audit", name=f"{finding.rule}: {finding.path}",
                    file=finding.path, time=_seconds(0.0))
    if finding.line:
        case.set("line", str(finding.line))
    text = f"{finding.path}:{finding.line}: {finding.rule} [{finding.severity}] {finding.message}"
    _child(case, "failure", one_line(finding.message, 1_000), text, kind="audit")
    return case


def _validation_suite(report: RunReport) -> ET.Element | None:
    suite_report: SuiteReport = report.suite
    check = suite_report.count_check
    if not report.batches and suite_report.status == "skipped" and check is None:
        return None
    suite = _element("testsuite", name="seamq validation")
    cases: list[ET.Element] = []
    for index, batch in enumerate(report.batches, 1):
        cases += _validation_cases(f"batch {index}: {', '.join(batch.seams)}", batch)
    cases += _validation_cases("suite", suite_report)
    if check is not None:
        case = _element("testcase", classname="seamq.validation", name="count check", time="0")
        if not check.ok:
            expected = "?" if check.expected_tests is None else str(check.expected_tests)
            summary = (f"count mismatch: plan has {check.plan_seams} seams and {expected} tests,"
                       f" found {check.files} files and {check.collected_tests} tests")
            _child(case, "failure", summary, check.detail or summary, kind="count-check")
        cases.append(case)
    suite.extend(cases)
    time = sum(b.duration_s for b in report.batches) + suite_report.duration_s
    return _counted(suite, cases, time)


def _validation_cases(name: str, run: BatchReport | SuiteReport) -> list[ET.Element]:
    """A conflict as one case per victim, at the victim's file and line; else one case."""
    if run.status != "conflict" or not run.victims:
        return [_validation_case(name, run.status, run.detail, run.seed, run.duration_s)]
    cases = []
    for victim in run.victims:
        file, classname, test = _locate(victim.file, victim.name)
        case = _element("testcase", classname=classname, name=f"{test} [{name}]", file=file,
                        time=_seconds(victim.duration_s or run.duration_s))
        if victim.line:
            case.set("line", str(victim.line))
        summary = f"conflict (seed {run.seed}): {one_line(run.detail, 1_000)}"
        text = "\n\n".join(part for part in (run.detail, victim.message or "") if part)
        _child(case, "failure", summary, text, kind="conflict")
        cases.append(case)
    return cases


def _validation_case(name: str, status: str, detail: str, seed: int | None,
                     duration_s: float = 0.0) -> ET.Element:
    case = _element("testcase", classname="seamq.validation", name=name,
                    time=_seconds(duration_s))
    summary = f"{status}" + (f" (seed {seed})" if seed is not None else "")
    if detail:
        summary += f": {one_line(detail, 1_000)}"
    if status == "conflict":
        _child(case, "failure", summary, detail, kind="conflict")
    elif status == "error":
        _child(case, "error", summary, detail, kind="error")
    elif status == "skipped":
        case.append(_element("skipped", message=summary))
    return case


def _counted(suite: ET.Element, cases: list[ET.Element], time: float) -> ET.Element:
    suite.set("tests", str(len(cases)))
    for kind in _COUNTED:
        suite.set(_plural(kind), str(sum(1 for case in cases if case.find(kind) is not None)))
    suite.set("time", _seconds(time))
    return suite


def _child(case: ET.Element, tag: str, message: str, text: str, kind: str = "") -> None:
    child = _element(tag, message=message)
    if kind:
        child.set("type", kind)
    child.text = plain(clip(text, head=100, tail=400, max_chars=64_000)) if text else None
    case.append(child)


def _element(tag: str, **attributes: str) -> ET.Element:
    return ET.Element(tag, {key: plain(value) for key, value in attributes.items()})


def _plural(kind: str) -> str:
    return "skipped" if kind == "skipped" else f"{kind}s"


def _seconds(value: float) -> str:
    return f"{value if value > 0 else 0.0:.3f}"  # also maps NaN to 0


def _timestamp(epoch: float) -> str:
    """ISO 8601 with its zone (UTC): readers must not guess the CI machine's local time."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds") if epoch else ""
