"""``audit.sarif`` of a run: URIs relative to the repository root, so GitHub code scanning
finds the files when the project is a subfolder of the repository."""

from __future__ import annotations

import json
from pathlib import Path

from services.cli.outputs import write_run_outputs
from tests.unit.report_samples import full_report


def test_uris_are_relative_to_the_repository_not_the_project(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    project = tmp_path / "services" / "shop"
    project.mkdir(parents=True)

    written = write_run_outputs(full_report(), tmp_path / "out", project, write_back=False)

    (run,) = json.loads(written["audit.sarif"].read_text())["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]}
    assert uris == {"services/shop/tests/test_queue.py"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


def test_a_project_outside_any_repository_is_its_own_root(tmp_path: Path) -> None:
    written = write_run_outputs(full_report(), tmp_path / "out", tmp_path, write_back=False)

    (run,) = json.loads(written["audit.sarif"].read_text())["runs"]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "tests/test_queue.py", "uriBaseId": "%SRCROOT%"}
