"""Metrics around handlers, never inside them (the way dramatiq's Prometheus middleware works)."""

from __future__ import annotations

from collections.abc import Sequence

from shared.brokers.base import Delivery, Handler, Outgoing
from shared.contract import AuditReport, JobResult, Message, RunEvent, SeamJob, ValidationJob
from shared.metrics import Metrics

TERMINAL = {"passed", "failed", "flaky", "rejected", "missing", "error"}


def _kind(delivery: Delivery) -> str:
    message = delivery.message
    if isinstance(message, SeamJob):
        return f"seam_{message.phase}"
    if isinstance(message, ValidationJob):
        return message.scope
    return type(message).__name__.lower()


def observe(metrics: Metrics, message: Message) -> str | None:
    """Record what an outgoing message tells — test outcomes, audit findings, final seam
    statuses — and return the job outcome it stands for, if it is a job's answer."""
    if isinstance(message, JobResult):
        for test in message.tests:
            metrics.tests.labels(test.outcome).inc()
        return message.status
    if isinstance(message, AuditReport):
        for finding in message.findings:
            metrics.audit_findings.labels(finding.rule, finding.severity).inc()
        return "rejected" if message.blocking else "clean"
    if isinstance(message, RunEvent) and message.event == "finished" and message.report:
        for seam in message.report.seams:
            metrics.seams.labels(seam.status, seam.priority).inc()
    return None


def instrument(handler: Handler, metrics: Metrics) -> Handler:
    """Count and time each delivery; observe every message the handler returns."""

    async def wrapped(delivery: Delivery) -> Sequence[Outgoing]:
        with metrics.track_job(_kind(delivery)) as timer:
            out = await handler(delivery)
            timer.outcome = "ok"
            for item in out:
                timer.outcome = observe(metrics, item.message) or timer.outcome
            return out

    return wrapped
