"""A docker-compose project of the repository's ``docker-compose.yml`` for one test: free host
ports, its own project name, a projects folder and a work folder on host paths, waits on
conditions (every container healthy, Prometheus targets up), and a teardown that reports
what it left."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.waiting import wait_until

REPO = Path(__file__).resolve().parents[3]
COMPOSE_FILE = REPO / "docker-compose.yml"
# The images the compose file runs by default (`deploy/provision.sh compose-images`), and the
# sandbox image runners start tests in (`deploy/provision.sh images`).
IMAGES = {
    "SEAMQ_IMAGE": "seamq:latest",
    "SEAMQ_RABBITMQ_IMAGE": "seamq-rabbitmq:local",
    "SEAMQ_PROMETHEUS_IMAGE": "seamq-prometheus:local",
    "SEAMQ_SANDBOX_IMAGE": "seamq-sandbox:latest",
}
PORTS = ("SEAMQ_RABBITMQ_PORT", "SEAMQ_RABBITMQ_MANAGEMENT_PORT",
         "SEAMQ_COORDINATOR_METRICS_PORT", "SEAMQ_PROMETHEUS_PORT")
PROJECT_LABEL = "com.docker.compose.project"
LOG_TAIL = "60"


def unavailable(reason: str) -> None:
    """Skip on a laptop; fail in CI, where tests/run.sh provides everything."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the compose stack test must run)", pytrace=False)
    pytest.skip(reason)


def compose_command() -> list[str]:
    """``docker-compose`` (v1, Debian's), else the ``docker compose`` plugin (v2)."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(
            ["docker", "compose", "version"], capture_output=True, check=False).returncode == 0:
        return ["docker", "compose"]
    unavailable("neither docker-compose nor `docker compose` is installed "
                "(deploy/provision.sh tools installs docker-compose)")
    raise AssertionError("unreachable")


def images() -> dict[str, str]:
    """The images to run, overridable like the compose file's; missing ones skip the test."""
    chosen = {name: os.environ.get(name, default) for name, default in IMAGES.items()}
    if subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0:
        unavailable("no Docker engine answers (deploy/provision.sh docker)")
    missing = [image for image in chosen.values() if subprocess.run(
        ["docker", "image", "inspect", image], capture_output=True, check=False).returncode]
    if missing:
        unavailable(f"images {', '.join(missing)} are missing "
                    "(deploy/provision.sh images compose-images builds them)")
    return chosen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def docker(*argv: str) -> str:
    done = subprocess.run(["docker", *argv], capture_output=True, text=True, timeout=60,
                          check=True)
    return done.stdout


@dataclass
class Stack:
    """One compose project; ``root`` holds its projects and work folders (host paths that
    containers see at the same path)."""

    root: Path
    images: dict[str, str]
    command: list[str] = field(default_factory=compose_command)
    name: str = field(default_factory=lambda: f"seamqci{uuid.uuid4().hex[:10]}")
    ports: dict[str, int] = field(default_factory=lambda: {p: free_port() for p in PORTS})
    down_done: bool = False

    @property
    def projects(self) -> Path:
        return self.root / "projects"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def broker_url(self) -> str:
        return f"amqp://seamq:seamq@127.0.0.1:{self.ports['SEAMQ_RABBITMQ_PORT']}/"

    def env(self) -> dict[str, str]:
        # Only this stack's settings: none of the caller's seamq or compose variables
        # (a broker URL or prefix, COMPOSE_PROFILES) may reach the file's interpolation.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SEAMQ_", "COMPOSE_"))}
        env.update(self.images)
        env.update({k: str(v) for k, v in self.ports.items()})
        env.update(SEAMQ_PROJECTS=str(self.projects), SEAMQ_WORK_DIR=str(self.work))
        return env

    def compose(self, *argv: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [*self.command, "-p", self.name, "-f", str(COMPOSE_FILE), *argv], cwd=REPO,
            env=self.env(), capture_output=True, text=True, timeout=timeout, check=False)
        assert done.returncode == 0, f"compose {' '.join(argv)}: {done.stdout}{done.stderr}"
        return done.stdout

    def up(self, runners: int) -> None:
        self.projects.mkdir(parents=True, exist_ok=True)
        self.work.mkdir(parents=True, exist_ok=True)
        try:
            self.compose("up", "-d", "--scale", f"runner={runners}")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.logs()}") from None

    def logs(self) -> str:
        done = subprocess.run(
            [*self.command, "-p", self.name, "-f", str(COMPOSE_FILE), "logs", "--no-color",
             "--tail", LOG_TAIL], cwd=REPO, env=self.env(), capture_output=True, text=True,
            timeout=60, check=False)
        return done.stdout + done.stderr

    def containers(self, *, all_states: bool = True) -> dict[str, str]:
        """Name -> status of the project's containers."""
        listed = docker("ps", *(["-a"] if all_states else []), "--filter",
                        f"label={PROJECT_LABEL}={self.name}", "--format",
                        "{{.Names}}\t{{.Status}}")
        return dict(line.split("\t", 1) for line in listed.splitlines() if line)

    def wait_healthy(self, expected: int, timeout: float) -> dict[str, str]:
        def all_healthy() -> dict[str, str] | None:
            found = self.containers()
            ok = len(found) == expected and all("(healthy)" in s for s in found.values())
            return found if ok else None

        return wait_until(all_healthy, timeout, poll_s=2, what=lambda: (
            f"{expected} healthy containers, found {self.containers()}\n{self.logs()}"))

    def service_ips(self, service: str) -> set[str]:
        ids = docker("ps", "-q", "--filter", f"label={PROJECT_LABEL}={self.name}",
                     "--filter", f"label=com.docker.compose.service={service}").split()
        template = "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"
        return {ip for i in ids for ip in docker("inspect", "-f", template, i).split()}

    def prometheus(self, query: str) -> list[dict[str, Any]]:
        """The instant vector Prometheus answers for ``query`` (on its host port)."""
        port = self.ports["SEAMQ_PROMETHEUS_PORT"]
        url = (f"http://127.0.0.1:{port}/api/v1/query?"
               + urllib.parse.urlencode({"query": query}))
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def down(self) -> None:
        if not self.down_done:
            self.down_done = True
            self.compose("down", "-v", "--remove-orphans", timeout=240)

    def leftovers(self) -> dict[str, list[str]]:
        """The project's containers, networks and volumes that still exist."""
        label = f"label={PROJECT_LABEL}={self.name}"
        return {
            "containers": docker("ps", "-aq", "--filter", label).split(),
            "networks": docker("network", "ls", "-q", "--filter", label).split(),
            "volumes": docker("volume", "ls", "-q", "--filter", label).split(),
        }
