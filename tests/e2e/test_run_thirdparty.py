"""A third-party project (``tests/fixtures/thirdparty``: Flask, pydantic 2 and DuckDB from
PyPI, pinned in requirements.txt) runs under ``--sandbox docker`` with no image written by
hand, with the same per-test outcomes as under ``--sandbox local`` in a virtualenv holding
the same pins.

The local run is seamq started by the virtualenv's python, so the local sandbox runs the
tests with that interpreter. The docker run is seamq started by the system python: the
environment image is built from requirements.txt on the sandbox image (whose Debian has no
Flask and no pydantic 2). The fixture's outcomes are mixed on purpose: one test fails, one
is skipped, the rest pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from services.runner.sandboxes.selection import probe_engine
from tests.e2e.project import REPO, Completed, Project

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(1800)]

FIXTURE = REPO / "tests" / "fixtures" / "thirdparty"
IMAGE = os.environ.get("SEAMQ_SANDBOX_IMAGE", "seamq-sandbox:latest")
FAILING = "tests/test_books_api_integration.py::test_search_ignores_case"
SKIPPED = "tests/test_book_store_integration.py::test_the_catalogue_exports_to_csv"
PINNED = "tests/test_pinned_stack_integration.py::test_every_pinned_package_is_installed_at_its_pin"
OPTIONS = ("--repeats", "2", "--no-cache")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this test must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def engine() -> Any:
    client, error = probe_engine()
    if client is None:
        _unavailable(f"no Docker engine ({error})")
    if not client.api.images(name=IMAGE):
        _unavailable(f"image {IMAGE} is missing; run deploy/provision.sh images")
    yield client
    client.close()


def _virtualenv(where: Path, requirements: Path) -> Path:
    """A virtualenv that sees the system's packages (seamq's own dependencies) with the
    project's pins installed over them from the index; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(where)],
                   check=True, capture_output=True, timeout=300)
    python = where / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                          "--disable-pip-version-check", "--no-warn-conflicts",
                          "-r", str(requirements)],
                         capture_output=True, text=True, timeout=900, check=False)
    if pip.returncode != 0:
        _unavailable(f"pip could not install the fixture's pins: {pip.stderr[-600:]}")
    return python


def _outcomes(run: Completed) -> dict[str, tuple[str, ...]]:
    """Every test's nodeid -> its outcome in every repeat (and confirmation)."""
    return {test["name"]: (test["outcome"], *test["runs"])
            for seam in run.report["seams"] for test in seam["tests"]}


def _timed(project: Project, *args: str, **kwargs: Any) -> tuple[Completed, float]:
    started = time.monotonic()
    done = project.run(*OPTIONS, *args, timeout=1200, **kwargs)
    return done, time.monotonic() - started


def test_a_pinned_third_party_project_has_the_same_outcomes_in_docker_as_locally(
    engine: Any, tmp_path: Path
) -> None:
    project = Project(tmp_path / "bookshelf", template=FIXTURE)
    # A comment unique to this run: the environment image's tag is new, so this run builds
    # it (an earlier run's image is not found instead) and removing it harms no one else.
    with (project.root / "requirements.txt").open("a") as requirements:
        requirements.write(f"# e2e run {uuid.uuid4().hex}\n")
    python = _virtualenv(tmp_path / "venv", project.root / "requirements.txt")

    local, local_s = _timed(project, python=str(python), sandbox="local", out="out-local",
                            env={"SEAMQ_STATE_DIR": str(tmp_path / "state-local")})
    docker, docker_s = _timed(project, "--image", IMAGE, sandbox="docker", out="out-docker",
                              env={"SEAMQ_STATE_DIR": str(tmp_path / "state-docker")})
    environments = {seam["id"]: seam["environment"] for seam in docker.report["seams"]}
    try:
        print(f"\nbookshelf, 3 seams x 2 repeats: local {local_s:.1f} s, docker {docker_s:.1f} s"
              f" (environment image built in "
              f"{max((e or {}).get('build_s', 0) for e in environments.values()):.1f} s)")

        assert (local.code, docker.code) == (1, 1), local.stderr + docker.stderr
        outcomes = _outcomes(local)
        assert _outcomes(docker) == outcomes
        assert Counter(outcome for outcome, *_ in outcomes.values()) == {
            "passed": 9, "failed": 1, "skipped": 1}
        assert (outcomes[FAILING][0], outcomes[SKIPPED][0]) == ("failed", "skipped")
        # The pins were what each run imported (a test compares them with the metadata).
        assert outcomes[PINNED] == ("passed",) * 3
        assert local.report["environment"]["sandboxes"][0].startswith("local")
        assert [s["environment"] for s in local.report["seams"]] == [None] * 3
        assert docker.report["environment"]["sandboxes"][0].startswith("docker")
        [tag] = {e["tag"] for e in environments.values()}
        assert tag.startswith("seamq-env:")
        assert any(e["built"] for e in environments.values())
        _same_coverage(local, docker)
    finally:
        for tag in {e["tag"] for e in environments.values() if e}:
            engine.api.remove_image(tag, force=True)


def _same_coverage(local: Completed, docker: Completed) -> None:
    """Per-seam and merged coverage of the bookshelf package, the same in both sandboxes, in
    report.json, report.md's column and a coverage.xml a Cobertura consumer reads."""
    pycobertura = pytest.importorskip("pycobertura")
    per_seam = []
    for run in (local, docker):
        seams = {s["id"]: s["coverage"] for s in run.report["seams"]}
        assert all(c["measured"] for c in seams.values()), seams
        per_seam.append({k: (c["lines"], c["branches"]) for k, c in seams.items()})
        assert "| Coverage |" in (run.out / "report.md").read_text()
        cobertura = pycobertura.Cobertura(str(run.out / "coverage.xml"))
        assert {"bookshelf/app.py", "bookshelf/store.py"} <= set(cobertura.files())
        assert cobertura.line_rate() == pytest.approx(run.report["coverage"]["lines"], abs=0.01)
    assert per_seam[0] == per_seam[1]
    assert local.report["coverage"]["lines"] == docker.report["coverage"]["lines"]
    assert 0.5 < local.report["coverage"]["lines"] < 1
