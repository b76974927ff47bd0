"""Projects and jobs for the environment and service tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from shared.contract import (
    EnvironmentSpec,
    ExecutionSpec,
    Priority,
    ProjectSource,
    Seam,
    SeamJob,
    ServiceSpec,
)

ROOT = Path(__file__).resolve().parents[3]
ORDERS = ROOT / "examples" / "orders-pg"
CLIENTS = "psycopg[binary]==3.2.13\nredis==5.3.1\n"

POSTGRES = ServiceSpec(
    name="postgres", image="seamq-postgres:15", env={"POSTGRES_DB": "test"},
    tests_env={"DATABASE_URL": "postgresql://postgres@{host}:5432/test"},
    ready_cmd=("pg_isready", "-h", "127.0.0.1", "-d", "test"), ready_timeout_s=30,
    tmpfs=("/var/lib/postgresql",))
REDIS = ServiceSpec(name="redis", image="seamq-redis:7",
                    tests_env={"REDIS_URL": "redis://{host}:6379/0"}, ready_tcp=6379,
                    ready_timeout_s=20)


def project(root: Path, tests: dict[str, str], requirements: str = CLIENTS) -> Path:
    """A project with ``requirements.txt`` and test files (dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text(requirements)
    for name, source in tests.items():
        (root / name).write_text(textwrap.dedent(source))
    return root


def seam_job(root: Path, test_file: str, job_id: str, *services: ServiceSpec,
             image: str = "", repeats: int = 1) -> SeamJob:
    seam = Seam(id=job_id, title=job_id, line=1, priority=Priority.P0, output_file=test_file,
                services=tuple(s.name for s in services))
    execution = ExecutionSpec(sandbox="docker", image=image, repeats=repeats, confirm=0,
                              timeout_s=120, services={s.name: s for s in services},
                              environment=EnvironmentSpec(base=image))
    return SeamJob(job_id=job_id, run_id="it-services", seam=seam,
                   project=ProjectSource(path=str(root)), plan_path="PLAN.md",
                   execution=execution)
