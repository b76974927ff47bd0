"""Cross-cutting concerns wrapped around every consumer's handler, as a list.

Like dramatiq's middleware: each ``Middleware`` wraps a ``Handler`` (and the coordinator's
outlet, through which it sends what it does not return). ``middleware_list`` is the one
place that says which apply; both hosts, embedded and per-service, use it. Decoding,
retrying a failed handler and dead-lettering stay in the broker's delivery policy
(``shared.brokers.base.process``), below this list: they need the raw delivery (undecodable
bodies never reach a handler) and are the same for every queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, get_args

from services.auditor.rules import RULES
from shared.brokers.base import Delivery, Handler, Outgoing
from shared.contract import (
    AuditJob,
    AuditReport,
    JobResult,
    Message,
    RunEvent,
    SeamJob,
    ValidationJob,
)
from shared.contract.results import Severity
from shared.contract.statuses import PRIORITY_NAMES, TERMINAL_STATUSES, TEST_OUTCOMES, JobStatus
from shared.metrics import Metrics
from shared.topology import AUDITOR_QUEUE, RUNNER_QUEUE

Outlet = Callable[[Outgoing], Awaitable[None]]


class Middleware(Protocol):
    """Wraps handlers, and the outlet a handler may send through instead of returning.

    ``wrap`` learns which service consumes which queue with the handler (a row of
    ``services.cli.wiring.CONSUMERS``)."""

    def wrap(self, handler: Handler, *, service: str, queue: str) -> Handler: ...

    def wrap_outlet(self, outlet: Outlet) -> Outlet: ...


RUNNER_KINDS = ("seam_generate", "seam_execute", "batch", "suite")
AUDIT_KIND = "audit"
AUDIT_OUTCOMES = ("clean", "rejected", "error")
SEVERITIES: tuple[str, ...] = get_args(Severity)


def job_kind(message: Message) -> str | None:
    """The ``kind`` label of a runner or audit job; None for any other message."""
    if isinstance(message, SeamJob):
        return f"seam_{message.phase}"
    if isinstance(message, ValidationJob):
        return message.scope
    if isinstance(message, AuditJob):
        return AUDIT_KIND
    return None


def queue_label(queue: str) -> str:
    """``seamq.runner`` -> ``runner``: the same label whatever the broker prefix."""
    return queue.rsplit(".", 1)[-1]


def prime(metrics: Metrics, service: str, queue: str) -> None:
    """Create at zero every series the consumer of ``queue`` may count."""
    metrics.prime(metrics.messages, [service], [queue_label(queue)], ["ok", "error"])
    if queue == RUNNER_QUEUE:
        metrics.prime(metrics.jobs, RUNNER_KINDS, get_args(JobStatus))
        metrics.prime(metrics.tests, TEST_OUTCOMES)
    elif queue == AUDITOR_QUEUE:
        metrics.prime(metrics.jobs, [AUDIT_KIND], AUDIT_OUTCOMES)
        metrics.prime(metrics.audit_findings, RULES, SEVERITIES)
    elif service == "coordinator":
        metrics.prime(metrics.seams, TERMINAL_STATUSES, PRIORITY_NAMES)


def observe(metrics: Metrics, message: Message) -> str | None:
    """Record what an outgoing message tells — test outcomes of seam executions, sandbox
    start times, service start-up times, environment cache hits, audit findings, final
    seam statuses — and return the job outcome it stands for, if it is a job's answer."""
    if isinstance(message, JobResult):
        if message.kind == "seam" and message.phase == "execute":
            for test in message.tests:
                metrics.tests.labels(test.outcome).inc()
        for process in (*message.repeats, *message.confirmations):
            if process.start_s > 0:
                metrics.sandbox_start.observe(process.start_s)
        for service in message.services:
            metrics.service_start.labels(service.name).observe(service.startup_s)
        if message.environment is not None:
            result = "built" if message.environment.built else "reused"
            metrics.environment_images.labels(result).inc()
        return message.status
    if isinstance(message, AuditReport):
        for finding in message.findings:
            metrics.audit_findings.labels(finding.rule, finding.severity).inc()
        return "rejected" if message.blocking else "clean"
    if isinstance(message, RunEvent) and message.event == "finished" and message.report:
        for seam in message.report.seams:
            metrics.seams.labels(seam.status, seam.priority).inc()
        merged = message.report.coverage
        for priority, ratio in (merged.by_priority if merged else {}).items():
            metrics.coverage.labels(priority).set(ratio)
    return None


class MetricsMiddleware:
    """Counts and times each delivery, and each runner or audit job as a job; observes every
    message a handler returns or sends."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def wrap(self, handler: Handler, *, service: str, queue: str) -> Handler:
        metrics = self.metrics
        prime(metrics, service, queue)
        label = queue_label(queue)

        async def wrapped(delivery: Delivery) -> Sequence[Outgoing]:
            with metrics.track_message(service, label):
                kind = job_kind(delivery.message)
                if kind is None:
                    out = await handler(delivery)
                    for item in out:
                        observe(metrics, item.message)
                    return out
                with metrics.track_job(kind) as timer:
                    out = await handler(delivery)
                    timer.outcome = "ok"
                    for item in out:
                        timer.outcome = observe(metrics, item.message) or timer.outcome
                    return out

        return wrapped

    def wrap_outlet(self, outlet: Outlet) -> Outlet:
        metrics = self.metrics

        async def wrapped(item: Outgoing) -> None:
            observe(metrics, item.message)
            await outlet(item)

        return wrapped


def middleware_list(metrics: Metrics) -> list[Middleware]:
    """The middleware every consumer gets, outermost first, in every way of hosting."""
    return [MetricsMiddleware(metrics)]


def apply_handler(handler: Handler, middleware: Sequence[Middleware], *, service: str,
                  queue: str) -> Handler:
    """``handler`` (``service``'s consumer of ``queue``) wrapped so that the list's first
    middleware is the outermost."""
    for item in reversed(middleware):
        handler = item.wrap(handler, service=service, queue=queue)
    return handler


def apply_outlet(outlet: Outlet, middleware: Sequence[Middleware]) -> Outlet:
    for item in reversed(middleware):
        outlet = item.wrap_outlet(outlet)
    return outlet
