"""A throwaway project for end-to-end runs of the ``seamq`` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Completed:
    code: int
    stdout: str
    stderr: str
    out: Path

    @property
    def report(self) -> dict[str, Any]:
        return json.loads((self.out / "report.json").read_text())

    def seam(self, seam_id: str) -> dict[str, Any]:
        return next(s for s in self.report["seams"] if s["id"] == seam_id)


class Project:
    """A throwaway project: a plan, test files, and a way to run seamq on it. Made empty
    but for a pyproject, or as a copy of ``template`` (a fixture project, kept whole)."""

    def __init__(self, root: Path, template: Path | None = None) -> None:
        self.root = root
        if template is not None:
            shutil.copytree(template, root)
            return
        root.mkdir(parents=True, exist_ok=True)
        (root / "pyproject.toml").write_text(
            '[project]\nname = "demo"\nversion = "0"\n\n'
            '[tool.pytest.ini_options]\npythonpath = ["."]\n'
        )

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def plan(self, *seams: tuple[str, str, str], extra: str = "") -> Path:
        """Seams as (number, priority, output file)."""
        parts = ["# Demo plan\n"]
        for number, priority, output in seams:
            parts.append(
                f"### SEAM {number}: Demo seam {number}\n"
                f"- **Priority**: {priority}\n"
                f"- **Integration Scope**: component {number}\n"
                f"- **Output File**: `{output}`\n"
            )
        return self.write("tests/TEST_PLAN.md", "\n".join(parts) + extra)

    def run(self, *args: str, timeout: float = 240, env: dict[str, str] | None = None,
            plan: str = "tests/TEST_PLAN.md", python: str = sys.executable,
            sandbox: str = "local", out: str = ".seamq-out") -> Completed:
        """``seamq run`` of the plan with ``python`` (whose interpreter the local sandbox
        runs the tests with), reports in ``out`` under the project."""
        out_dir = self.root / out
        full_env = {**os.environ, "SEAMQ_STATE_DIR": str(self.root / ".state"),
                    "SEAMQ_CACHE_DIR": str(self.root / ".cache"), **(env or {})}
        proc = subprocess.run(
            [python, "-m", "services.cli.main", "run", str(self.root / plan),
             "--out", str(out_dir), "--sandbox", sandbox, *args],
            cwd=REPO, capture_output=True, text=True, timeout=timeout, env=full_env,
            check=False,
        )
        return Completed(proc.returncode, proc.stdout, proc.stderr, out_dir)


