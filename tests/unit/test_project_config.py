"""The project's [tool.seamq] tables: services and environment, read strictly, one line per
mistake naming the file, the table and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.cli.project_config import check_services, load_environment, load_services
from services.coordinator.jobs import with_services
from shared.contract import ExecutionSpec, Priority, Seam, TestPlan
from shared.errors import PlanError, UsageError

POSTGRES = '''
[tool.seamq.services.postgres]
image = "seamq-postgres:15"
command = ["/usr/local/bin/start-postgres"]
env = { POSTGRES_DB = "test" }
tests_env = { DATABASE_URL = "postgresql://postgres@{host}:5432/test" }
ready = { tcp = 5432, timeout = 30 }
tmpfs = ["/var/lib/postgresql"]
'''


def _project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(text)
    return tmp_path


def test_every_documented_key_is_read(tmp_path: Path) -> None:
    spec = load_services(_project(tmp_path, POSTGRES), None)["postgres"]

    assert (spec.image, spec.command, spec.env) == (
        "seamq-postgres:15", ("/usr/local/bin/start-postgres",), {"POSTGRES_DB": "test"})
    assert (spec.ready_tcp, spec.ready_cmd, spec.ready_timeout_s) == (5432, (), 30.0)
    assert spec.tmpfs == ("/var/lib/postgresql",)
    assert spec.tests_env["DATABASE_URL"].endswith("@{host}:5432/test")


@pytest.mark.parametrize(("ready", "expected"), [
    ('{ command = ["pg_isready"], timeout = 5 }', (("pg_isready",), None, 5.0)),
    ('["redis-cli", "ping"]', (("redis-cli", "ping"), None, 30.0)),
])
def test_ready_takes_a_command_table_or_the_legacy_list(
    tmp_path: Path, ready: str, expected: tuple[object, ...]
) -> None:
    text = f'[tool.seamq.services.db]\nimage = "x"\nready = {ready}\n'

    spec = load_services(_project(tmp_path, text), None)["db"]

    assert (spec.ready_cmd, spec.ready_tcp, spec.ready_timeout_s) == expected


@pytest.mark.parametrize(("body", "message"), [
    ('imgae = "x"', "[tool.seamq.services.db] imgae: unknown key"),
    ('env = { A = "b" }', "[tool.seamq.services.db] image: missing"),
    ('image = 3', "[tool.seamq.services.db] image: expected a string"),
    ('image = "x"\nready = { tcp = "5432" }', "[tool.seamq.services.db] ready.tcp: expected"),
    ('image = "x"\nready = { tcp = 1, command = ["a"] }', "ready: give exactly one"),
    ('image = "x"\nready = { tcp = 1, timeout = 0 }', "ready.timeout: expected a positive"),
    ('image = "x"\nready = { port = 1 }', "ready.port: unknown key"),
    ('image = "x"\ncommand = "run me"', "[tool.seamq.services.db] command: expected a list"),
    ('image = "x"\ntmpfs = ["data"]', "tmpfs: 'data' is not an absolute path"),
    ('image = "x"\nenv = ["A=b"]', "[tool.seamq.services.db] env: expected a table"),
])
def test_a_mistake_is_one_line_naming_file_table_and_key(
    tmp_path: Path, body: str, message: str
) -> None:
    project = _project(tmp_path, f"[tool.seamq.services.db]\n{body}\n")

    with pytest.raises(UsageError) as caught:
        load_services(project, None)

    text = str(caught.value)
    assert caught.value.exit_code == 4
    assert text.startswith(f"{project / 'pyproject.toml'}: ")
    assert message in text
    assert "\n" not in text


def test_a_services_file_uses_its_own_table_names(tmp_path: Path) -> None:
    file = tmp_path / "services.toml"
    file.write_text('[services.cache]\nimage = "seamq-redis:7"\nready = { tcp = "x" }\n')

    with pytest.raises(UsageError, match=r"services.toml: \[services.cache\] ready.tcp"):
        load_services(tmp_path, str(file))


def _seam(seam_id: str, services: tuple[str, ...]) -> Seam:
    return Seam(id=seam_id, title=seam_id, line=3, priority=Priority.P0,
                output_file=f"test_{seam_id}.py", services=services)


def test_a_seam_naming_an_undefined_service_is_a_plan_error(tmp_path: Path) -> None:
    plan = TestPlan(path="PLAN.md", seams=(_seam("1", ("redis",)),))

    with pytest.raises(PlanError, match=r"^PLAN.md:3: seam 1 needs service 'redis'"):
        check_services(plan, Path("PLAN.md"), {})


def test_a_job_gets_only_its_seams_services(tmp_path: Path) -> None:
    services = load_services(_project(tmp_path, POSTGRES + '[tool.seamq.services.redis]\n'
                                      'image = "seamq-redis:7"\n'), None)
    execution = ExecutionSpec(services=services)

    alone = with_services(execution, [_seam("1", ("postgres",))])
    batch = with_services(execution, [_seam("1", ("postgres",)), _seam("2", ("redis",))])

    assert list(alone.services) == ["postgres"]
    assert list(batch.services) == ["postgres", "redis"]


def test_the_environment_table_is_optional_and_strict(tmp_path: Path) -> None:
    assert load_environment(_project(tmp_path, "[project]\nname = 'x'\n"), False) is None
    spec = load_environment(_project(tmp_path, '[tool.seamq.environment]\nbase = "b"\n'
                                     'dependencies = ["requirements.txt"]\n'), True)
    assert spec is not None
    assert (spec.base, spec.dependencies, spec.rebuild) == ("b", ("requirements.txt",), True)

    with pytest.raises(UsageError, match=r"\[tool.seamq.environment\] deps: unknown key"):
        load_environment(_project(tmp_path, "[tool.seamq.environment]\ndeps = []\n"), False)
