"""Prometheus metrics: names and labels as DESIGN.md lists them, and the HTTP endpoint."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from shared.metrics import Metrics

EXPECTED_LABELS = {
    "seamq_jobs": {"kind", "outcome"},
    "seamq_job_duration_seconds": {"kind"},
    "seamq_messages_handled": {"service", "queue", "outcome"},
    "seamq_message_handling_seconds": {"service", "queue"},
    "seamq_tests": {"outcome"},
    "seamq_seams": {"status", "priority"},
    "seamq_audit_findings": {"rule", "severity"},
    "seamq_jobs_in_progress": set(),
    "seamq_sandbox_start_seconds": set(),
    "seamq_service_start_seconds": {"service"},
    "seamq_environment_images": {"result"},
    "seamq_coverage_ratio": {"priority"},
    "seamq_build": {"version", "service", "python"},
}


def _families(metrics: Metrics) -> dict[str, set[str]]:
    """Metric family name -> label names seen on its samples (``le`` left out)."""
    return {
        family.name: {k for s in family.samples for k in s.labels if k != "le"}
        for family in metrics.registry.collect()
    }


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read()


def test_every_metric_is_exposed_with_its_documented_labels() -> None:
    metrics = Metrics(CollectorRegistry(), service="runner")
    metrics.jobs.labels("seam", "passed").inc()
    metrics.job_duration.labels("seam").observe(12.5)
    metrics.tests.labels("failed").inc(3)
    metrics.seams.labels("flaky", "P0").inc()
    metrics.audit_findings.labels("mock-usage", "error").inc()
    metrics.sandbox_start.observe(0.8)
    with metrics.track_message("coordinator", "results"):
        pass
    metrics.service_start.labels("postgres").observe(1.9)
    metrics.environment_images.labels("reused").inc()
    metrics.coverage.labels("P0").set(0.8)

    assert _families(metrics) == EXPECTED_LABELS


def test_exposition_uses_prometheus_names_and_base_units() -> None:
    metrics = Metrics(CollectorRegistry())
    metrics.jobs.labels("seam", "passed").inc()

    text = generate_latest(metrics.registry).decode()

    assert 'seamq_jobs_total{kind="seam",outcome="passed"} 1.0' in text
    assert "# TYPE seamq_job_duration_seconds histogram" in text
    assert "# TYPE seamq_jobs_in_progress gauge" in text
    assert 'seamq_build_info{python="' in text


def test_two_instances_on_their_own_registries_do_not_collide() -> None:
    first, second = Metrics(CollectorRegistry()), Metrics(CollectorRegistry())

    first.tests.labels("passed").inc()

    assert first.registry.get_sample_value("seamq_tests_total", {"outcome": "passed"}) == 1
    assert second.registry.get_sample_value("seamq_tests_total", {"outcome": "passed"}) is None


def test_tracked_job_counts_its_outcome_and_leaves_no_job_in_progress() -> None:
    metrics = Metrics(CollectorRegistry())

    with metrics.track_job("seam") as job:
        assert metrics.registry.get_sample_value("seamq_jobs_in_progress") == 1
        job.outcome = "passed"

    value = metrics.registry.get_sample_value
    assert value("seamq_jobs_total", {"kind": "seam", "outcome": "passed"}) == 1
    assert value("seamq_job_duration_seconds_count", {"kind": "seam"}) == 1
    assert value("seamq_jobs_in_progress") == 0


def test_tracked_job_that_raises_counts_as_error() -> None:
    metrics = Metrics(CollectorRegistry())

    with pytest.raises(RuntimeError), metrics.track_job("audit"):
        raise RuntimeError("boom")

    value = metrics.registry.get_sample_value
    assert value("seamq_jobs_total", {"kind": "audit", "outcome": "error"}) == 1
    assert value("seamq_jobs_in_progress") == 0


def test_endpoint_serves_metrics() -> None:
    metrics = Metrics(CollectorRegistry())
    metrics.seams.labels("passed", "P1").inc()

    with metrics.serve(0, host="127.0.0.1") as server:
        status, body = _get(f"http://127.0.0.1:{server.port}/metrics")

    assert status == 200
    assert b'seamq_seams_total{priority="P1",status="passed"} 1.0' in body


def test_healthz_follows_the_health_callable() -> None:
    healthy = [True]
    metrics = Metrics(CollectorRegistry())

    with metrics.serve(0, host="127.0.0.1", is_healthy=lambda: healthy[0]) as server:
        url = f"http://127.0.0.1:{server.port}/healthz"
        before = _get(url)
        healthy[0] = False
        after = _get(url)

    assert before == (200, b"ok\n")
    assert after == (503, b"unhealthy\n")


def test_health_check_that_raises_reports_unhealthy() -> None:
    def broken() -> bool:
        raise ConnectionError("broker gone")

    with Metrics(CollectorRegistry()).serve(0, host="127.0.0.1", is_healthy=broken) as server:
        status, _ = _get(f"http://127.0.0.1:{server.port}/healthz")

    assert status == 503


def test_unknown_path_is_not_found() -> None:
    with Metrics(CollectorRegistry()).serve(0, host="127.0.0.1") as server:
        status, _ = _get(f"http://127.0.0.1:{server.port}/")

    assert status == 404
