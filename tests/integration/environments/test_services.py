"""Real services per job on the real engine: fresh PostgreSQL and Redis on a private
network, never shared between jobs, with no route out, an error with the logs when one is
never ready, and nothing left once a job (or a killed runner) is done."""

from __future__ import annotations

import concurrent.futures
import ipaddress
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from services.runner.execute import execute_seam
from services.runner.sandboxes.docker import DockerSandbox
from services.runner.sandboxes.services import ServiceNotReady
from tests.integration.sandboxes.support import python_request

from .support import ORDERS, POSTGRES, REDIS, project, seam_job

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(600)]
RABBITMQ_PORT = 5672

ISOLATED = """
    import os, time, psycopg

    def test_only_this_jobs_rows_are_in_the_database():
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as db:
            db.execute("CREATE TABLE IF NOT EXISTS marks (job text)")
            db.execute("INSERT INTO marks VALUES (%s)", (os.environ["JOB"],))
            time.sleep(3)  # long enough for the other job to write, were it sharing
            rows = db.execute("SELECT job FROM marks").fetchall()
        assert rows == [(os.environ["JOB"],)]
"""


def test_a_seam_writes_to_postgres_and_redis_and_reads_back(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    job = seam_job(ORDERS, "tests/test_order_cache_integration.py", "cache", POSTGRES, REDIS)

    result = execute_seam(job, sandbox, tmp_path / "cache", "it")

    assert (result.status, result.reason) == ("passed", "")
    assert [(s.name, s.image) for s in result.services] == [
        ("postgres", "seamq-postgres:15"), ("redis", "seamq-redis:7")]
    assert all(s.startup_s > 0 for s in result.services)
    print("service start-up:", json.dumps([s.model_dump() for s in result.services]))


def test_two_concurrent_seams_see_only_their_own_data(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    root = project(tmp_path / "p", {"test_isolated.py": ISOLATED})
    jobs = [seam_job(root, "test_isolated.py", name, POSTGRES)
            .model_copy(update={"execution": seam_job(root, "test_isolated.py", name, POSTGRES)
                                .execution.model_copy(update={"env": {"JOB": name}})})
            for name in ("left", "right")]

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda j: execute_seam(j, sandbox, tmp_path / "c", "it"), jobs))

    assert [(r.status, r.reason) for r in results] == [("passed", ""), ("passed", "")]


def _host_addresses(client: Any) -> list[str]:
    """The host as containers could reach it: the default bridge's gateway and the
    address of the host's own route out."""
    subnet = client.api.inspect_network("bridge")["IPAM"]["Config"][0]["Subnet"]
    gateway = str(ipaddress.ip_network(subnet)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing: it picks the route
        own = str(probe.getsockname()[0])
    return [gateway, own]


def _rabbitmq_listens(host: str) -> bool:
    try:
        socket.create_connection((host, RABBITMQ_PORT), timeout=2).close()
    except OSError:
        return False
    return True


def test_the_job_network_reaches_its_service_and_nothing_else(
    sandbox: DockerSandbox, tmp_path: Path
) -> None:
    hosts = [h for h in _host_addresses(sandbox.client) if _rabbitmq_listens(h)]
    assert hosts, "RabbitMQ must listen on an address the host routes, for this test to mean it"
    targets = {"redis": ("redis", 6379), "outside": ("1.1.1.1", 53),
               **{f"rabbitmq@{h}": (h, RABBITMQ_PORT) for h in hosts}}
    code = (
        "import json, socket\n"
        f"targets = {targets!r}\n"
        "seen = {}\n"
        "for name, (host, port) in targets.items():\n"
        "    try:\n"
        "        socket.create_connection((host, port), timeout=3).close()\n"
        "        seen[name] = 'open'\n"
        "    except OSError as e:\n"
        "        seen[name] = type(e).__name__\n"
        "print(json.dumps(seen))\n")

    with sandbox.services([REDIS], "it-net", {}, 60) as session:
        outcome = sandbox.run(python_request(sandbox, tmp_path, code, network=session.network))

    seen = json.loads(outcome.output.strip().splitlines()[-1])
    assert seen.pop("redis") == "open"
    assert "open" not in seen.values(), seen


def test_a_service_never_ready_is_an_error_with_its_last_log_lines(
    sandbox: DockerSandbox,
) -> None:
    never = REDIS.model_copy(update={"ready_tcp": 1234, "ready_timeout_s": 3.0})

    with pytest.raises(ServiceNotReady) as caught, sandbox.services([never], "it-never", {}, 60):
        pass

    message = str(caught.value)
    assert message.startswith("service redis not ready after 3 s; its last log lines:")
    assert "Ready to accept connections" in message
