"""Metrics around handlers, never inside them (the way dramatiq's Prometheus middleware works)."""

from __future__ import annotations

from collections.abc import Sequence

from shared.brokers.base import Delivery, Handler, Outgoing
from shared.contract import AuditReport, JobResult, RunEvent, SeamJob, ValidationJob
from shared.metrics import Metrics

TERMINAL = {"passed", "failed", "flaky", "rejected", "missing", "error"}


def _kind(delivery: Delivery) -> str:
    message = delivery.message
    if isinstance(message, SeamJob):
        return f"seam_{message.phase}"
    if isinstance(message, ValidationJob):
        return message.scope
    return type(message).__name__.lower()


def instrument(handler: Handler, metrics: Metrics) -> Handler:
    """Count and time each delivery; record tests, findings and final seam statuses."""

    async def wrapped(delivery: Delivery) -> Sequence[Outgoing]:
        with metrics.track_job(_kind(delivery)) as timer:
            out = await handler(delivery)
            timer.outcome = "ok"
            for item in out:
                message = item.message
                if isinstance(message, JobResult):
                    timer.outcome = message.status
                    for test in message.tests:
                        metrics.tests.labels(test.outcome).inc()
                elif isinstance(message, AuditReport):
                    timer.outcome = "rejected" if message.blocking else "clean"
                    for finding in message.findings:
                        metrics.audit_findings.labels(finding.rule, finding.severity).inc()
                elif isinstance(message, RunEvent) and message.event == "finished" \
                        and message.report is not None:
                    for seam in message.report.seams:
                        metrics.seams.labels(seam.status, seam.priority).inc()
            return out

    return wrapped
