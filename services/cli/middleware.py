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
from typing import Protocol

from shared.brokers.base import Delivery, Handler, Outgoing
from shared.contract import AuditReport, JobResult, Message, RunEvent, SeamJob, ValidationJob
from shared.metrics import Metrics

Outlet = Callable[[Outgoing], Awaitable[None]]


class Middleware(Protocol):
    """Wraps handlers, and the outlet a handler may send through instead of returning."""

    def wrap(self, handler: Handler) -> Handler: ...

    def wrap_outlet(self, outlet: Outlet) -> Outlet: ...


def _kind(delivery: Delivery) -> str:
    message = delivery.message
    if isinstance(message, SeamJob):
        return f"seam_{message.phase}"
    if isinstance(message, ValidationJob):
        return message.scope
    return type(message).__name__.lower()


def observe(metrics: Metrics, message: Message) -> str | None:
    """Record what an outgoing message tells — test outcomes, service start-up times,
    environment cache hits, audit findings, final seam statuses — and return the job
    outcome it stands for, if it is a job's answer."""
    if isinstance(message, JobResult):
        for test in message.tests:
            metrics.tests.labels(test.outcome).inc()
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
    return None


class MetricsMiddleware:
    """Counts and times each delivery; observes every message a handler returns or sends."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def wrap(self, handler: Handler) -> Handler:
        metrics = self.metrics

        async def wrapped(delivery: Delivery) -> Sequence[Outgoing]:
            with metrics.track_job(_kind(delivery)) as timer:
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


def apply_handler(handler: Handler, middleware: Sequence[Middleware]) -> Handler:
    """``handler`` wrapped so that the list's first middleware is the outermost."""
    for item in reversed(middleware):
        handler = item.wrap(handler)
    return handler


def apply_outlet(outlet: Outlet, middleware: Sequence[Middleware]) -> Outlet:
    for item in reversed(middleware):
        outlet = item.wrap_outlet(outlet)
    return outlet
