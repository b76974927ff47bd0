"""The project's own seamq tables: ``[tool.seamq.services.<name>]`` in its pyproject.toml
(or ``[services.<name>]`` in ``--services FILE``) and ``[tool.seamq.environment]``, read
strictly.

Every mistake is one line naming the file, the table and the key (exit 4), so that a
configuration that works on one machine means the same on every other.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import ValidationError

from shared.contract import EnvironmentSpec, ServiceSpec, TestPlan
from shared.errors import PlanError, UsageError
from shared.files import CONFIG_CAP, UnsafeFileError, read_text_capped

SERVICE_KEYS = ("image", "command", "env", "tests_env", "ready", "tmpfs")
READY_KEYS = ("tcp", "command", "timeout")
ENVIRONMENT_KEYS = ("base", "dependencies", "extras", "setup")


class _Table:
    """One table of one file, for error messages: ``FILE: [TABLE] KEY: problem``."""

    def __init__(self, file: Path, name: str, body: Mapping[str, object]) -> None:
        self.file, self.name, self.body = file, name, body

    @classmethod
    def checked(cls, file: Path, name: str, body: object, known: Sequence[str]) -> _Table:
        """``[name]`` of ``file``, which must be a table of ``known`` keys only."""
        if not isinstance(body, dict):
            raise UsageError(f"{file}: [{name}]: expected a table")
        table = cls(file, name, body)
        unknown = sorted(set(body) - set(known))
        if unknown:
            raise table.error(unknown[0], f"unknown key (known: {', '.join(known)})")
        return table

    def error(self, key: str, problem: str) -> UsageError:
        where = f"{self.file}: [{self.name}]" + (f" {key}" if key else "")
        return UsageError(f"{where}: {problem}")

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.body.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "expected a list of strings")
        return tuple(value)

    def mapping(self, key: str) -> dict[str, str]:
        value = self.body.get(key, {})
        if not isinstance(value, dict) or not all(
            isinstance(v, str | int | float | bool) for v in value.values()
        ):
            raise self.error(key, "expected a table of strings (KEY = \"value\")")
        return {str(k): str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in value.items()}


def _read(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(read_text_capped(path, CONFIG_CAP))
    except UnsafeFileError as e:
        raise UsageError(str(e)) from e
    except OSError as e:
        raise UsageError(f"{path}: cannot read: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: not valid TOML: {e}") from e


def _ready(table: _Table) -> tuple[tuple[str, ...], int | None, float]:
    """(command, tcp port, timeout) from ``ready``: a table or today's list form."""
    value = table.body.get("ready")
    if value is None:
        return (), None, 30.0
    if isinstance(value, list):
        return table.strings("ready"), None, 30.0
    if not isinstance(value, dict):
        raise table.error("ready", "expected { tcp = PORT, timeout = S }, "
                          "{ command = [...], timeout = S } or a list of strings")
    unknown = sorted(set(value) - set(READY_KEYS))
    if unknown:
        raise table.error(f"ready.{unknown[0]}", f"unknown key (known: {', '.join(READY_KEYS)})")
    if ("tcp" in value) == ("command" in value):
        raise table.error("ready", "give exactly one of tcp = PORT or command = [...]")
    timeout = value.get("timeout", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise table.error("ready.timeout", "expected a positive number of seconds")
    if "tcp" in value:
        port = value["tcp"]
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65_536:
            raise table.error("ready.tcp", "expected a port number (1-65535)")
        return (), port, float(timeout)
    command = _Table(table.file, table.name, value).strings("command")
    if not command:
        raise table.error("ready.command", "expected a non-empty list of strings")
    return command, None, float(timeout)


def _service(file: Path, prefix: str, name: str, body: object) -> ServiceSpec:
    table = _Table.checked(file, f"{prefix}.{name}", body, SERVICE_KEYS)
    body = table.body
    image = body.get("image")
    if not isinstance(image, str) or not image:
        raise table.error("image", "missing: the image the service runs (e.g. "
                          "\"seamq-postgres:15\")" if image is None else "expected a string")
    tmpfs = table.strings("tmpfs")
    for path in tmpfs:
        if not path.startswith("/"):
            raise table.error("tmpfs", f"{path!r} is not an absolute path")
    ready_cmd, ready_tcp, timeout = _ready(table)
    try:
        return ServiceSpec(name=name, image=image, command=table.strings("command"),
                           env=table.mapping("env"), tests_env=table.mapping("tests_env"),
                           ready_cmd=ready_cmd, ready_tcp=ready_tcp, ready_timeout_s=timeout,
                           tmpfs=tmpfs)
    except ValidationError as e:
        problem = e.errors()[0]
        key = ".".join(str(p) for p in problem["loc"])
        raise table.error(key, str(problem["msg"])) from e


def _seamq_table(pyproject: Path) -> dict[str, object]:
    tool = _read(pyproject).get("tool", {})
    seamq = tool.get("seamq", {}) if isinstance(tool, dict) else {}
    return seamq if isinstance(seamq, dict) else {}


def load_environment(project: Path, rebuild: bool) -> EnvironmentSpec | None:
    """``[tool.seamq.environment]`` (all keys optional), or None when the project has none."""
    pyproject = project / "pyproject.toml"
    body = _seamq_table(pyproject).get("environment") if pyproject.is_file() else None
    if body is None:
        return None
    table = _Table.checked(pyproject, "tool.seamq.environment", body, ENVIRONMENT_KEYS)
    body = table.body
    for key in ("base", "setup"):
        if not isinstance(body.get(key, ""), str):
            raise table.error(key, "expected a string")
    for name in table.strings("dependencies"):
        if name.startswith("/") or ".." in Path(name).parts:
            raise table.error("dependencies", f"{name!r} is not a path inside the project")
    return EnvironmentSpec(base=str(body.get("base", "")),
                           dependencies=table.strings("dependencies"),
                           extras=table.strings("extras"), setup=str(body.get("setup", "")),
                           rebuild=rebuild)


def load_services(project: Path, services_file: str | None) -> dict[str, ServiceSpec]:
    """``[tool.seamq.services.<name>]`` in the project, then ``[services.<name>]`` in
    ``services_file`` (which wins for a name both define)."""
    sources: list[tuple[Path, str, object]] = []
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        tables = _seamq_table(pyproject).get("services", {})
        sources.append((pyproject, "tool.seamq.services", tables))
    if services_file:
        path = Path(services_file)
        sources.append((path, "services", _read(path).get("services", {})))
    specs: dict[str, ServiceSpec] = {}
    for file, prefix, tables in sources:
        if not isinstance(tables, dict):
            raise UsageError(f"{file}: [{prefix}]: expected a table of services")
        for name, body in tables.items():
            specs[name] = _service(file, prefix, name, body)
    return specs


def check_services(plan: TestPlan, plan_file: Path,
                   services: Mapping[str, ServiceSpec]) -> None:
    """A ``PlanError`` for the first seam naming a service nobody defined."""
    for seam in plan.seams:
        for name in seam.services:
            if name not in services and not seam.deferred:
                raise PlanError(str(plan_file), seam.line, (
                    f"seam {seam.id} needs service '{name}', which is not defined "
                    f"([tool.seamq.services.{name}] in the project's pyproject.toml, or "
                    f"[services.{name}] in a --services file)"))
