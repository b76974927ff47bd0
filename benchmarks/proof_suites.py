"""The suites ``bench_proof.py`` measures, written as throwaway projects with a seamq plan.

- ``uniform``: equal files of sleeping tests (I/O-bound, P = 4);
- ``skewed``: many short seams and a few long ones collected last (I/O-bound, P = 4);
- ``tiny``: many one-test seams, where process start-up is the cost (CPU, P = 2);
- ``web``: a Flask + pydantic application of many modules with CPU-light tests through the
  test client, and one polluting pair across files (CPU, P = 2).

Every project has a ``tests/conftest.py`` that appends, per pytest session, the test files
whose tests ran to the file named by ``$BENCH_EXECUTIONS``: executions per file are counted
from it, whatever ran them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

COUNTER = '''\
"""Counts the pytest sessions that ran each test file (read by benchmarks/bench_proof.py)."""

import os

_RAN = set()


def pytest_runtest_logreport(report):
    if report.when == "call" or report.skipped:
        _RAN.add(report.nodeid.split("::")[0])


def pytest_sessionfinish(session):
    path = os.environ.get("BENCH_EXECUTIONS")
    if path and _RAN:
        with open(path, "a") as out:
            out.write("".join(f"{name}\\n" for name in sorted(_RAN)))
'''

SLEEPING = '''\
"""Seam {name}: {tests} tests of {sleep} s of waiting each."""

import time

import pytest


@pytest.mark.parametrize("case", range({tests}))
def test_waits(case):
    """Waits as an I/O-bound integration test does."""
    started = time.monotonic()
    time.sleep({sleep})
    assert time.monotonic() - started >= {sleep} * 0.9, case
'''

TINY = '''\
"""Seam {name}: one quick test."""


def test_sums():
    """Sums."""
    assert sum([{n}, 1]) == {n} + 1
'''

MODULE = '''\
"""Resource {n} of the demo application."""

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, Field, ValidationError

bp = Blueprint("r{n}", __name__, url_prefix="/r{n}")


class Item{n}(BaseModel):
    name: str = Field(min_length=1)
    size: int = Field(ge=0, le=1000)
    tags: list[str] = []


@bp.post("/items")
def create():
    try:
        item = Item{n}.model_validate(request.get_json())
    except ValidationError as e:
        return jsonify(errors=[err["msg"] for err in e.errors()]), 422
    return jsonify(item.model_dump() | {{"resource": {n}}}), 201


@bp.get("/items/<int:size>")
def read(size):
    return jsonify(Item{n}(name="r{n}", size=size).model_dump())
'''

APP = '''\
"""The demo application: one blueprint per resource module, and a feature switchboard."""

from flask import Flask, jsonify

from webapp import settings
{imports}


def create_app():
    app = Flask(__name__)
{registers}

    @app.get("/features")
    def features():
        return jsonify(settings.FEATURES)

    return app
'''

WEB_TEST = '''\
"""Seam {name}: resources {first}..{last} through the test client."""

import pytest

from webapp.app import create_app


@pytest.fixture(scope="module")
def client():
    return create_app().test_client()


@pytest.mark.parametrize("resource", range({first}, {last} + 1))
def test_created_items_echo_their_fields(client, resource):
    """A valid item is accepted and echoed."""
    reply = client.post(f"/r{{resource}}/items", json={{"name": "a", "size": 3, "tags": ["x"]}})
    assert reply.status_code == 201
    assert reply.get_json() == {{"name": "a", "size": 3, "tags": ["x"], "resource": resource}}


@pytest.mark.parametrize("resource", range({first}, {last} + 1))
def test_invalid_items_are_refused(client, resource):
    """A negative size is refused by the model."""
    reply = client.post(f"/r{{resource}}/items", json={{"name": "a", "size": -1}})
    assert reply.status_code == 422
    assert reply.get_json()["errors"] == ["Input should be greater than or equal to 0"]
'''

POLLUTER = '''

def test_beta_can_be_switched_on(client):
    """Switches the beta feature on (and never back: the pollution)."""
    from webapp import settings

    settings.FEATURES["beta"] = True
    assert client.get("/features").get_json()["beta"] is True
'''

VICTIM = '''

def test_beta_is_off_by_default(client):
    """The beta feature starts switched off."""
    assert client.get("/features").get_json() == {"beta": False}
'''


@dataclass(frozen=True)
class Suite:
    name: str
    root: Path
    files: tuple[str, ...]
    workers: int  # P: 4 for the I/O-bound suites, 2 for the CPU ones
    kind: str  # "io" or "cpu"

    @property
    def plan(self) -> Path:
        return self.root / "tests" / "TEST_PLAN.md"


def _project(root: Path, files: dict[str, str], extra: dict[str, str] | None = None) -> None:
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "0"\n\n'
        '[tool.pytest.ini_options]\npythonpath = ["."]\n')
    (root / "tests" / "conftest.py").write_text(COUNTER)
    for rel, text in {**(extra or {}), **{f"tests/{n}": t for n, t in files.items()}}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    seams = [f"### SEAM {i}: {Path(name).stem}\n- **Priority**: P0\n"
             f"- **Integration Scope**: {Path(name).stem}\n- **Output File**: `{name}`\n"
             for i, name in enumerate(files, 1)]
    (root / "tests" / "TEST_PLAN.md").write_text("# Benchmark plan\n\n" + "\n".join(seams))


def sleeping(base: Path, name: str, shape: list[tuple[str, int, float]], workers: int
             ) -> Suite:
    """Files (name, tests, seconds per test) of sleeping tests."""
    files = {f"test_{stem}.py": SLEEPING.format(name=stem, tests=tests, sleep=sleep)
             for stem, tests, sleep in shape}
    _project(base / name, files)
    return Suite(name, base / name, tuple(files), workers, "io")


def tiny(base: Path, count: int) -> Suite:
    files = {f"test_t{n:03}.py": TINY.format(name=f"t{n}", n=n) for n in range(count)}
    _project(base / "tiny", files)
    return Suite("tiny", base / "tiny", tuple(files), 2, "cpu")


def web(base: Path, modules: int, test_files: int) -> Suite:
    """The import-heavy application; the last test file pollutes the first, which plain
    pytest runs before it (so the pollution stays hidden there, as it does in real life)."""
    per = max(1, modules // test_files)
    extra = {f"webapp/r{n}.py": MODULE.format(n=n) for n in range(modules)}
    extra["webapp/__init__.py"] = '"""The benchmark\'s demo web application."""\n'
    extra["webapp/settings.py"] = '"""Feature switches."""\n\nFEATURES = {"beta": False}\n'
    extra["webapp/app.py"] = APP.format(
        imports="\n".join(f"from webapp import r{n}" for n in range(modules)),
        registers="\n".join(f"    app.register_blueprint(r{n}.bp)" for n in range(modules)))
    files = {}
    for k in range(test_files):
        first, last = k * per, min(modules, (k + 1) * per) - 1
        text = WEB_TEST.format(name=f"web{k}", first=first, last=last)
        text += VICTIM if k == 0 else POLLUTER if k == test_files - 1 else ""
        files[f"test_web_{k:02}.py"] = text
    _project(base / "web", files, extra)
    return Suite("web", base / "web", tuple(files), 2, "cpu")


def build(base: Path, quick: bool) -> list[Suite]:
    """The four suites under ``base``: small ones with ``quick``."""
    if quick:
        return [
            sleeping(base, "uniform", [(f"u{n}", 2, 0.1) for n in range(4)], 4),
            sleeping(base, "skewed", [*((f"s{n}", 1, 0.05) for n in range(5)),
                                      ("z_long0", 3, 0.4)], 4),
            tiny(base, 6),
            web(base, 12, 3),
        ]
    return [
        sleeping(base, "uniform", [(f"u{n}", 4, 0.15) for n in range(8)], 4),
        sleeping(base, "skewed", [*((f"s{n:02}", 1, 0.05) for n in range(12)),
                                  *((f"z_long{n}", 6, 0.4) for n in range(3))], 4),
        tiny(base, 24),
        web(base, 40, 8),
    ]
