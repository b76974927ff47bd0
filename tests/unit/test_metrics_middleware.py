"""The metrics middleware: one meaning per metric, every known series born at zero.

Jobs (runner and audit work) and message handling (every delivery, the coordinator's
bookkeeping included) are separate metrics; test outcomes come from seam executions only.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry

from services.cli.middleware import MetricsMiddleware
from shared.brokers.base import Delivery, Handler, Outgoing
from shared.contract import (
    ExecutionSpec,
    JobResult,
    Priority,
    ProjectSource,
    RepeatRun,
    Seam,
    SeamJob,
    TestResult,
    ValidationJob,
)
from shared.metrics import Metrics
from shared.topology import AUDITOR_QUEUE, RESULTS_QUEUE, RUNNER_QUEUE

SEAM = Seam(id="1", title="x", line=1, priority=Priority.P0, output_file="tests/test_x.py")
PROJECT = ProjectSource(path="/p")


def seam_job() -> SeamJob:
    return SeamJob(job_id="j", run_id="r", seam=SEAM, project=PROJECT, plan_path="PLAN.md",
                   execution=ExecutionSpec())


def validation_job() -> ValidationJob:
    return ValidationJob(job_id="v", run_id="r", scope="suite", seam_ids=("1", "2"),
                         files=("tests/a.py", "tests/b.py"), project=PROJECT,
                         execution=ExecutionSpec())


def returning(*messages: JobResult) -> Handler:
    async def handler(delivery: Delivery) -> Sequence[Outgoing]:
        return [Outgoing(message=m, queue=RESULTS_QUEUE) for m in messages]

    return handler


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_a_runner_consumer_creates_its_series_at_zero_before_any_job() -> None:
    metrics = Metrics(CollectorRegistry())

    MetricsMiddleware(metrics).wrap(returning(), service="runner", queue=RUNNER_QUEUE)

    assert value(metrics, "seamq_jobs_total", kind="seam_execute", outcome="failed") == 0
    assert value(metrics, "seamq_tests_total", outcome="failed") == 0
    assert value(metrics, "seamq_messages_handled_total", service="runner", queue="runner",
                 outcome="error") == 0


def test_auditor_and_coordinator_consumers_create_their_series_at_zero() -> None:
    metrics = Metrics(CollectorRegistry())
    middleware = MetricsMiddleware(metrics)

    middleware.wrap(returning(), service="auditor", queue=AUDITOR_QUEUE)
    middleware.wrap(returning(), service="coordinator", queue=RESULTS_QUEUE)

    assert value(metrics, "seamq_jobs_total", kind="audit", outcome="rejected") == 0
    assert value(metrics, "seamq_audit_findings_total", rule="mock-usage",
                 severity="error") == 0
    assert value(metrics, "seamq_seams_total", status="rejected", priority="P0") == 0


async def test_coordinator_bookkeeping_is_a_handled_message_not_a_job() -> None:
    metrics = Metrics(CollectorRegistry())
    result = JobResult(job_id="j", run_id="r", kind="seam", seam_id="1", status="passed")
    wrapped = MetricsMiddleware(metrics).wrap(returning(), service="coordinator",
                                              queue=RESULTS_QUEUE)

    await wrapped(Delivery(message=result, queue=RESULTS_QUEUE, message_id="m"))

    assert value(metrics, "seamq_messages_handled_total", service="coordinator",
                 queue="results", outcome="ok") == 1
    jobs = [s for f in metrics.registry.collect() if f.name == "seamq_jobs" for s in f.samples]
    assert jobs == []


async def test_a_seam_execution_counts_its_job_tests_and_sandbox_starts() -> None:
    metrics = Metrics(CollectorRegistry())
    result = JobResult(job_id="j", run_id="r", kind="seam", seam_id="1", status="failed",
                       tests=(TestResult(name="t", outcome="failed"),),
                       repeats=(RepeatRun(seed=1, exit_code=1, outcome="failed", start_s=0.4),))
    wrapped = MetricsMiddleware(metrics).wrap(returning(result), service="runner",
                                              queue=RUNNER_QUEUE)

    await wrapped(Delivery(message=seam_job(), queue=RUNNER_QUEUE, message_id="m"))

    assert value(metrics, "seamq_jobs_total", kind="seam_execute", outcome="failed") == 1
    assert value(metrics, "seamq_tests_total", outcome="failed") == 1
    assert value(metrics, "seamq_sandbox_start_seconds_count") == 1


async def test_validation_tests_are_not_counted_again_nor_victims_as_flaky() -> None:
    metrics = Metrics(CollectorRegistry())
    result = JobResult(job_id="v", run_id="r", kind="suite", status="conflict",
                       tests=(TestResult(name="victim", outcome="flaky"),
                              TestResult(name="other", outcome="passed")))
    wrapped = MetricsMiddleware(metrics).wrap(returning(result), service="runner",
                                              queue=RUNNER_QUEUE)

    await wrapped(Delivery(message=validation_job(), queue=RUNNER_QUEUE, message_id="m"))

    assert value(metrics, "seamq_jobs_total", kind="suite", outcome="conflict") == 1
    assert value(metrics, "seamq_tests_total", outcome="flaky") == 0
    assert value(metrics, "seamq_tests_total", outcome="passed") == 0


def test_a_finished_run_sets_the_coverage_gauge_per_priority_without_seam_labels() -> None:
    from services.cli.middleware import observe
    from shared.contract import RunCoverage, RunEvent, RunReport, RunSummary

    metrics = Metrics(CollectorRegistry())
    report = RunReport(run_id="r", status="passed", plan="PLAN.md", summary=RunSummary(),
                       seams=(), coverage=RunCoverage(by_priority={"P0": 0.75, "P1": 0.5}))

    observe(metrics, RunEvent(run_id="r", event="finished", report=report))

    assert value(metrics, "seamq_coverage_ratio", priority="P0") == 0.75
    assert value(metrics, "seamq_coverage_ratio", priority="P1") == 0.5
    labels = {k for f in metrics.registry.collect() if f.name == "seamq_coverage_ratio"
              for s in f.samples for k in s.labels}
    assert labels == {"priority"}
