"""The deployment files are valid and agree with the code: compose, Prometheus rules,
the Grafana dashboard, the Kubernetes manifests and the Dockerfile.

``docker-compose`` and ``promtool`` checks skip on a machine without them and fail in CI,
where ``deploy/provision.sh tools`` installs both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.registry import CollectorRegistry

from services.coordinator.jobs import DEADLINE_SLACK_S
from shared.contract import ExecutionSpec
from shared.metrics import Metrics
from shared.topology import RUNNER_QUEUE

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
COMPOSE = REPO / "docker-compose.yml"
SEAMQ_SERVICES = ("coordinator", "auditor", "runner")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed (deploy/provision.sh tools installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def _run(*argv: str) -> str:
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def _exported_names() -> set[str]:
    """Every sample name the services' metrics can expose."""
    metrics = Metrics(CollectorRegistry())
    metrics.jobs.labels("k", "o").inc()
    metrics.tests.labels("passed").inc()
    metrics.seams.labels("passed", "P0").inc()
    metrics.audit_findings.labels("r", "error").inc()
    metrics.job_duration.labels("k").observe(1)
    metrics.sandbox_start.observe(1)
    metrics.messages.labels("s", "q", "ok").inc()
    metrics.message_duration.labels("s", "q").observe(1)
    return {s.name for family in metrics.registry.collect() for s in family.samples}


def test_compose_file_passes_docker_compose_config() -> None:
    _run(_tool("docker-compose"), "-f", str(COMPOSE), "config", "-q")


def test_compose_services_are_health_checked_and_runners_can_scale() -> None:
    services = _compose()["services"]

    assert set(services) >= {"rabbitmq", *SEAMQ_SERVICES, "prometheus", "grafana"}
    for name in SEAMQ_SERVICES:
        assert "/healthz" in " ".join(services[name]["healthcheck"]["test"]), name
        assert "--metrics-port" in services[name]["command"], name
        assert "--broker" not in services[name]["command"], name
        assert "SEAMQ_BROKER_URL" in services[name]["environment"], name
    runner = services["runner"]
    assert "container_name" not in runner
    assert "ports" not in runner


def test_prometheus_config_and_alert_rules_pass_promtool() -> None:
    promtool = _tool("promtool")
    _run(promtool, "check", "config", str(DEPLOY / "prometheus" / "prometheus.yml"))
    _run(promtool, "check", "rules", str(DEPLOY / "prometheus" / "alerts.yml"))
    _run(promtool, "test", "rules", str(DEPLOY / "prometheus" / "alerts_test.yml"))


def test_every_alert_has_a_promtool_case_that_fires_and_one_that_does_not() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    cases = yaml.safe_load((DEPLOY / "prometheus" / "alerts_test.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    checks = [c for t in cases["tests"] for c in t["alert_rule_test"]]

    fired = {c["alertname"] for c in checks if c["exp_alerts"]}
    quiet = {c["alertname"] for c in checks if not c["exp_alerts"]}

    assert alerts - fired == set()
    assert alerts - quiet == set()


def test_alerts_and_dashboard_use_only_metrics_the_services_export() -> None:
    exported = _exported_names()
    alerts = (DEPLOY / "prometheus" / "alerts.yml").read_text()
    dashboard = (DEPLOY / "grafana" / "dashboard.json").read_text()

    used = set(re.findall(r"\bseamq_[a-z_]+", alerts + dashboard))

    assert used
    assert used <= exported, used - exported


def test_grafana_dashboard_imports_anywhere_through_its_datasource_variable() -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    datasource = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    dashboard = json.loads((DEPLOY / "grafana" / "dashboard.json").read_text())
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}

    assert yaml.safe_load((provisioning / "dashboards" / "seamq.yml").read_text())["providers"]
    assert datasource["datasources"][0]["isDefault"] is True
    assert variables["datasource"]["type"] == "datasource"
    assert {"service", "kind"} <= set(variables)
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert all(t["expr"] for t in panel["targets"]), panel["title"]
        for target in panel["targets"]:
            if "seamq_jobs_total" in target["expr"] or "seamq_job_duration" in target["expr"]:
                assert '$kind' in target["expr"], panel["title"]
            if "seamq_messages_handled" in target["expr"]:
                assert '$service' in target["expr"], panel["title"]


def _manifests() -> list[dict[str, Any]]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_kubernetes_deployments_probe_healthz_on_the_metrics_port() -> None:
    deployments = {d["metadata"]["name"]: d for d in _manifests() if d["kind"] == "Deployment"}

    assert set(deployments) == {f"seamq-{name}" for name in SEAMQ_SERVICES}
    for name, deployment in deployments.items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        args = container["args"]
        port = int(args[args.index("--metrics-port") + 1])
        assert container["ports"][0]["containerPort"] == port, name
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["path"] == "/healthz", (name, probe)


def test_kubernetes_deployments_take_the_broker_url_from_the_secret_not_the_args() -> None:
    deployments = [d for d in _manifests() if d["kind"] == "Deployment"]

    for deployment in deployments:
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        assert "--broker" not in container["args"], deployment["metadata"]["name"]
        secret = env["SEAMQ_BROKER_URL"]["valueFrom"]["secretKeyRef"]
        assert secret == {"name": "seamq-broker", "key": "url"}


def test_keda_scales_runners_on_ready_and_unacknowledged_jobs() -> None:
    (scaled,) = [d for d in _manifests() if d["kind"] == "ScaledObject"]
    (trigger,) = scaled["spec"]["triggers"]
    (auth,) = [d for d in _manifests() if d["kind"] == "TriggerAuthentication"]
    (secret,) = [d for d in _manifests() if d["kind"] == "Secret"]
    key = auth["spec"]["secretTargetRef"][0]["key"]

    assert scaled["spec"]["scaleTargetRef"]["name"] == "seamq-runner"
    assert trigger["type"] == "rabbitmq"
    assert trigger["metadata"]["queueName"] == RUNNER_QUEUE
    # Only the management API counts unacknowledged messages (jobs being worked on).
    assert trigger["metadata"]["protocol"] == "http"
    assert trigger["metadata"]["mode"] == "QueueLength"
    assert trigger["metadata"].get("excludeUnacknowledged", "false") == "false"
    assert secret["stringData"][key].startswith("http")


def test_runners_are_scaled_in_slowly_and_outlive_their_job_deadline() -> None:
    (scaled,) = [d for d in _manifests() if d["kind"] == "ScaledObject"]
    (runner,) = [d for d in _manifests()
                 if d["kind"] == "Deployment" and d["metadata"]["name"] == "seamq-runner"]
    behavior = scaled["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
    grace = runner["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]

    assert behavior["scaleDown"]["stabilizationWindowSeconds"] >= 300
    assert all(p["type"] == "Pods" and p["value"] == 1
               for p in behavior["scaleDown"]["policies"])
    assert grace > ExecutionSpec().timeout_s + DEADLINE_SLACK_S


def test_every_seamq_pod_is_annotated_for_scraping_and_a_podmonitor_exists() -> None:
    deployments = [d for d in _manifests() if d["kind"] == "Deployment"]
    monitor = yaml.safe_load((DEPLOY / "k8s" / "monitoring" / "podmonitor.yaml").read_text())

    for deployment in deployments:
        notes = deployment["spec"]["template"]["metadata"]["annotations"]
        assert notes["prometheus.io/scrape"] == "true"
        assert notes["prometheus.io/path"] == "/metrics"
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert labels.items() >= monitor["spec"]["selector"]["matchLabels"].items()
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"


def test_kustomization_lists_every_manifest() -> None:
    k8s = DEPLOY / "k8s"
    listed = yaml.safe_load((k8s / "kustomization.yaml").read_text())["resources"]

    assert sorted(listed) == sorted(p.name for p in k8s.glob("*.yaml")
                                    if p.name != "kustomization.yaml")


def test_dockerfile_takes_its_base_image_as_a_build_argument() -> None:
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    instructions = [line.split()[0] for line in lines if line and not line.startswith("#")]

    assert instructions[:2] == ["ARG", "FROM"]
    assert "ARG BASE_IMAGE=" in "\n".join(lines)
    assert "FROM ${BASE_IMAGE}" in lines
    assert any("/healthz" in line for line in lines if "urlopen" in line)


def test_compose_runs_locally_built_images_unless_told_otherwise() -> None:
    services = _compose()["services"]
    provision = (DEPLOY / "provision.sh").read_text()
    defaults = {
        "rabbitmq": ("SEAMQ_RABBITMQ_IMAGE", "seamq-rabbitmq:local"),
        "prometheus": ("SEAMQ_PROMETHEUS_IMAGE", "seamq-prometheus:local"),
        **{name: ("SEAMQ_IMAGE", "seamq:latest") for name in SEAMQ_SERVICES},
    }

    for name, (variable, image) in defaults.items():
        assert services[name]["image"] == f"${{{variable}:-{image}}}", name
        assert f"${{{variable}:-{image}}}" in provision or image == "seamq:latest", name
    assert "APP_IMAGE=${SEAMQ_APP_IMAGE:-seamq:latest}" in provision
    # Not in Debian's archive, so not built here: only with `--profile grafana`.
    assert services["grafana"]["profiles"] == ["grafana"]


def test_runners_see_their_work_folder_and_projects_at_the_host_paths() -> None:
    runner = _compose()["services"]["runner"]
    work = "${SEAMQ_WORK_DIR:-/var/tmp/seamq}"
    projects = "${SEAMQ_PROJECTS:-/srv/seamq/projects}"

    assert runner["environment"]["TMPDIR"] == work
    assert "/var/run/docker.sock:/var/run/docker.sock" in runner["volumes"]
    assert f"{work}:{work}" in runner["volumes"]
    assert f"{projects}:{projects}:ro" in runner["volumes"]
    assert "sock" not in " ".join(_compose()["services"]["coordinator"]["volumes"])
