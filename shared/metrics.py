"""Prometheus metrics every seamq service exposes, and the HTTP endpoint that serves them.

Metrics live on a ``CollectorRegistry`` the entry point passes in (one ``Metrics`` per
process, none at module level, so tests build as many as they like). Labels are bounded
sets — kind, outcome, status, priority, rule, severity — never a run, job or test id; those
belong in the logs.
"""

from __future__ import annotations

import itertools
import platform
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.exposition import choose_encoder

log = structlog.get_logger("seamq.metrics")

JOB_SECONDS_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, float("inf"))
MESSAGE_SECONDS_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, float("inf"))
SANDBOX_START_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, float("inf"))


def _version() -> str:
    try:
        return metadata.version("seamq")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class JobTimer:
    """Handed out by ``Metrics.track_job``; set ``outcome`` before the block ends."""

    kind: str
    outcome: str = "error"


class Metrics:
    """The metric objects of one process, registered on ``registry``.

    One meaning each: ``seamq_jobs_total`` and ``seamq_job_duration_seconds`` count runner
    and audit jobs only; ``seamq_messages_handled_total`` and
    ``seamq_message_handling_seconds`` count every delivery a consumer handled (the
    coordinator's bookkeeping included); ``seamq_tests_total`` counts test outcomes of seam
    executions only (validation runs are counted as jobs, their tests are not counted again).
    """

    def __init__(self, registry: CollectorRegistry | None = None, *, service: str = "") -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        registry = self.registry
        self.jobs = Counter("seamq_jobs", "Runner and audit jobs finished, by kind and outcome.",
                            ("kind", "outcome"), registry=registry)
        self.job_duration = Histogram(
            "seamq_job_duration_seconds", "Wall-clock time of a runner or audit job, from "
            "pick-up to result.", ("kind",), buckets=JOB_SECONDS_BUCKETS, registry=registry)
        self.messages = Counter(
            "seamq_messages_handled", "Deliveries handled by a consumer, by service, queue and "
            "outcome (ok, or error when the handler raised).", ("service", "queue", "outcome"),
            registry=registry)
        self.message_duration = Histogram(
            "seamq_message_handling_seconds", "Time a consumer's handler took for one delivery.",
            ("service", "queue"), buckets=MESSAGE_SECONDS_BUCKETS, registry=registry)
        self.tests = Counter("seamq_tests", "Test outcomes of seam executions (one per test "
                             "and job, across its repeats).", ("outcome",), registry=registry)
        self.seams = Counter("seamq_seams", "Seams that reached a final status.",
                             ("status", "priority"), registry=registry)
        self.audit_findings = Counter("seamq_audit_findings", "Audit findings, by rule and "
                                      "severity.", ("rule", "severity"), registry=registry)
        self.jobs_in_progress = Gauge("seamq_jobs_in_progress", "Runner and audit jobs being "
                                      "worked on now.", registry=registry)
        self.sandbox_start = Histogram(
            "seamq_sandbox_start_seconds", "Time to get a sandbox ready to run tests (one "
            "observation per pytest process).", buckets=SANDBOX_START_BUCKETS, registry=registry)
        self.service_start = Histogram(
            "seamq_service_start_seconds",
            "Time from starting a job's service container to its readiness, by service.",
            ("service",),
            buckets=SANDBOX_START_BUCKETS,
            registry=registry,
        )
        self.environment_images = Counter(
            "seamq_environment_images",
            "Environment image look-ups by jobs: built (a cache miss) or reused (a hit).",
            ("result",),
            registry=registry,
        )
        self.coverage = Gauge(
            "seamq_coverage_ratio", "Coverage (0..1, lines and branches) of the last finished "
            "run's seams of a priority, merged; no per-seam series.", ("priority",),
            registry=registry)
        self.build_info = Info("seamq_build", "The running seamq build.", registry=registry)
        self.build_info.info(
            {"version": _version(), "service": service, "python": platform.python_version()}
        )

    def prime(self, counter: Counter, *label_sets: Iterable[str]) -> None:
        """Create every series of ``counter`` for these label values at zero, so that
        ``increase()`` sees the first event of each (a series born at 1 shows 0)."""
        for values in itertools.product(*label_sets):
            counter.labels(*values)

    @contextmanager
    def track_job(self, kind: str) -> Iterator[JobTimer]:
        """Count a job in progress and time it; an exception leaves the outcome ``error``."""
        timer = JobTimer(kind)
        started = time.perf_counter()
        self.jobs_in_progress.inc()
        try:
            yield timer
        finally:
            self.jobs_in_progress.dec()
            self.job_duration.labels(kind).observe(time.perf_counter() - started)
            self.jobs.labels(kind, timer.outcome).inc()

    @contextmanager
    def track_message(self, service: str, queue: str) -> Iterator[None]:
        """Count and time one delivery's handling; an exception counts as ``error``."""
        started = time.perf_counter()
        outcome = "error"
        try:
            yield
            outcome = "ok"
        finally:
            self.message_duration.labels(service, queue).observe(time.perf_counter() - started)
            self.messages.labels(service, queue, outcome).inc()

    def serve(
        self, port: int, *, host: str = "127.0.0.1",
        is_healthy: Callable[[], bool] = lambda: True,
    ) -> MetricsServer:
        """Serve ``/metrics`` and ``/healthz`` (200 while ``is_healthy()``, else 503) from a
        background thread; ``port=0`` picks a free port."""
        handler = _handler_class(self.registry, is_healthy)
        httpd = ThreadingHTTPServer((host, port), handler)
        httpd.daemon_threads = True
        thread = threading.Thread(target=httpd.serve_forever, name="seamq-metrics", daemon=True)
        thread.start()
        log.info("metrics endpoint listening", host=host, port=httpd.server_address[1])
        return MetricsServer(httpd, thread)


class MetricsServer:
    """A running metrics endpoint; ``close()`` stops it."""

    def __init__(self, httpd: ThreadingHTTPServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> MetricsServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _healthy(is_healthy: Callable[[], bool]) -> bool:
    try:
        return bool(is_healthy())
    except Exception:  # a failing health check means unhealthy, whatever it raised
        log.exception("health check failed")
        return False


def _handler_class(
    registry: CollectorRegistry, is_healthy: Callable[[], bool]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/metrics":
                encoder, content_type = choose_encoder(self.headers.get("Accept", ""))
                self._reply(200, encoder(registry), content_type)
            elif path == "/healthz":
                ok = _healthy(is_healthy)
                self._reply(200 if ok else 503, b"ok\n" if ok else b"unhealthy\n")
            else:
                self._reply(404, b"not found: try /metrics or /healthz\n")

        def _reply(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Scrapes every few seconds would flood the logs; stay quiet."""

    return Handler
