"""A fleet for tests: coordinator, auditors and runners as separate processes on one RabbitMQ
prefix, ``seamq submit`` runs, and clean-up of the processes and the prefix's topology."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.brokers.amqp import AmqpBroker

from .services import REPO, WAIT_S, ServiceProcess, service_env, start_process

RUN_TIMEOUT_S = 180.0


@dataclass
class Submitted:
    """A finished ``seamq submit``."""

    code: int
    stdout: str
    stderr: str
    out: Path

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.out / "report.json").read_text())
        return data


class Fleet:
    """Processes started here are SIGKILLed by ``close``, which also deletes the topology."""

    def __init__(self, url: str, prefix: str, root: Path) -> None:
        self.url = url
        self.prefix = prefix
        self.root = root
        self.processes: list[ServiceProcess] = []
        self._names: dict[str, int] = {}

    @property
    def state_dir(self) -> Path:
        return self.root / "coordinator-state"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def _name(self, kind: str) -> str:
        self._names[kind] = self._names.get(kind, 0) + 1
        return f"{kind}-{self._names[kind]}"

    def env(self, name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        return service_env(self.prefix, self.root, name, extra)

    async def start(self, kind: str, *options: str, cache: str | None = None,
                    env: dict[str, str] | None = None, ready: bool = True,
                    url: str | None = None) -> ServiceProcess:
        """Start ``seamq KIND --broker URL OPTIONS…``; wait until it says it is ready."""
        name = self._name(kind)
        process = await start_process(
            name, [kind, "--broker", url or self.url, *options],
            self.env(cache or name, env), self.logs,
        )
        self.processes.append(process)
        if ready:
            await process.wait_event("service ready")
        return process

    async def coordinator(self) -> ServiceProcess:
        return await self.start("coordinator", "--state", str(self.state_dir),
                                "--metrics-port", "0", cache="coordinator")

    async def auditor(self) -> ServiceProcess:
        return await self.start("auditor")

    async def runner(self, *options: str, env: dict[str, str] | None = None,
                     ready: bool = True, url: str | None = None) -> ServiceProcess:
        return await self.start("runner", "--sandbox", "local", *options, env=env,
                                ready=ready, url=url)

    async def submit_process(self, plan: Path, out: Path, *options: str,
                             wait: bool = True) -> asyncio.subprocess.Process:
        """``seamq submit PLAN`` with ``--wait`` (or not), still running."""
        argv = ["submit", str(plan), "--broker", self.url, "--sandbox", "local",
                "--out", str(out), *options, *(["--wait"] if wait else [])]
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.cli.main", *argv, cwd=REPO,
            env=self.env("submit"), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )

    async def finish(self, process: asyncio.subprocess.Process, out: Path,
                     timeout: float = RUN_TIMEOUT_S) -> Submitted:
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            process.kill()
            stdout, stderr = await process.communicate()
            raise AssertionError(
                f"submit did not finish within {timeout} s; stderr:\n{stderr.decode()[-3000:]}"
                f"\nservice logs: {self.logs}"
            ) from None
        assert process.returncode is not None
        return Submitted(process.returncode, stdout.decode(), stderr.decode(), out)

    async def submit(self, plan: Path, *options: str, timeout: float = RUN_TIMEOUT_S,
                     wait: bool = True) -> Submitted:
        """``seamq submit`` to completion (without ``wait`` it prints the run id)."""
        out = self.root / f"out-{self._name('submit')}"
        process = await self.submit_process(plan, out, *options, wait=wait)
        return await self.finish(process, out, timeout)

    def broker(self) -> AmqpBroker:
        """A broker on the fleet's prefix for the test itself (start it before use)."""
        return AmqpBroker(self.url, prefix=self.prefix, publish_timeout_s=10.0,
                          reconnect_interval_s=0.5)

    async def close(self) -> None:
        for process in self.processes:
            if process.running:
                await process.stop(signal.SIGKILL, timeout=WAIT_S)
        async with self.broker() as broker:
            await broker.delete_topology()


def metrics_port(coordinator: ServiceProcess) -> int:
    line = next(line for line in coordinator.lines
                if line.get("event") == "metrics endpoint listening")
    return int(line["port"])


def scrape(port: int, path: str = "/metrics") -> tuple[int, str]:
    """GET a service's metrics or health endpoint; returns (status, body)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as reply:
            return int(reply.status), reply.read().decode()
    except urllib.error.HTTPError as e:
        return int(e.code), e.read().decode()


def sample(metrics: str, name: str, **labels: str) -> float:
    """Sum of a metric's samples whose labels include ``labels``."""
    total = 0.0
    for line in metrics.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{key}="{val}"' in head for key, val in labels.items()):
            total += float(value)
    return total
