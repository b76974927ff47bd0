"""One suite measured side by side: plain pytest (serial), pytest-xdist ``-n P --dist loadfile``
and ``seamq run`` (cold; warm history with ``--no-cache``; a cached rerun; and, where the
target asks for it, warm history without validation, one repeat).

Every command gets ``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1`` unless ``autoload``: the host's
installed plugins (hypothesis, benchmark, …) are not the suites' dependencies and cost
seconds per process; seamq gets it through ``--env``, like the counter file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.proof_suites import Suite

REPO = Path(__file__).resolve().parents[1]
PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly")


@dataclass
class SeamqRun:
    """One ``seamq run``: wall seconds, the run's status, executions per test file."""

    wall_s: float
    status: str
    executions: dict[str, int]
    detail: str = ""

    @property
    def per_file(self) -> float:
        """Mean executions per file over the files that ran at all (0 when none ran)."""
        return sum(self.executions.values()) / len(self.executions) if self.executions else 0.0


@dataclass
class SuiteFigures:
    suite: Suite
    plain_s: float = 0.0
    xdist_s: float = 0.0
    seamq: dict[str, SeamqRun] = field(default_factory=dict)

    def lower_bound(self, run: SeamqRun) -> float:
        """The ideal: executions per file x plain serial time / P."""
        return run.per_file * self.plain_s / self.suite.workers


def _timed(argv: list[str], cwd: Path, env: dict[str, str], *, check: bool) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          timeout=1800)
    elapsed = time.perf_counter() - started
    if check and done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {cwd}:\n{done.stdout[-3000:]}"
                         f"{done.stderr[-3000:]}")
    return elapsed


class Runner:
    """Runs the baselines and seamq on one suite; state and counts live under ``work``."""

    def __init__(self, suite: Suite, work: Path, *, autoload: bool, seed: int) -> None:
        self.suite, self.work, self.seed = suite, work, seed
        self.counts = work / f"{suite.name}.executions"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("SEAMQ_", "PYTEST_", "BENCH_"))}
        self.extra_env: dict[str, str] = {}
        if not autoload:
            self.extra_env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        self.env.update(self.extra_env)
        self.runs = 0

    def plain(self) -> float:
        # Plain pytest passes: the polluter of the web suite runs after its victim.
        return _timed([*PYTEST, "tests"], self.suite.root, self.env, check=True)

    def xdist(self) -> float:
        argv = [*PYTEST, "-p", "xdist", "-n", str(self.suite.workers), "--dist", "loadfile",
                "tests"]
        # The web suite's pair may meet on one worker and fail: timed all the same.
        return _timed(argv, self.suite.root, self.env, check=self.suite.name != "web")

    def seamq(self, *options: str) -> SeamqRun:
        self.runs += 1
        out = self.work / f"{self.suite.name}-out-{self.runs}"
        env = {**self.env, "SEAMQ_STATE_DIR": str(self.work / f"{self.suite.name}-state"),
               "SEAMQ_CACHE_DIR": str(self.work / f"{self.suite.name}-cache")}
        before = self._counted()
        argv = [sys.executable, "-m", "services.cli.main", "run", str(self.suite.plan),
                "--sandbox", "local", "--broker", "memory", "--out", str(out),
                "--concurrency", str(self.suite.workers), "--seed", str(self.seed),
                f"--env=BENCH_EXECUTIONS={self.counts}",
                *(f"--env={k}={v}" for k, v in self.extra_env.items()), *options]
        wall = _timed(argv, REPO, env, check=False)
        report = _report(out)
        executions = self._counted() - before
        return SeamqRun(wall, str(report.get("status", "no report")),
                        {k: v for k, v in executions.items() if v}, _detail(report))

    def _counted(self) -> Counter[str]:
        if not self.counts.exists():
            return Counter()
        return Counter(line for line in self.counts.read_text().splitlines() if line)


def _report(out: Path) -> dict[str, Any]:
    try:
        found: dict[str, Any] = json.loads((out / "report.json").read_text())
    except (OSError, ValueError):
        return {}
    return found


def _detail(report: dict[str, Any]) -> str:
    """The suite validation's finding (a proven polluter) or its cache note, short."""
    suite = report.get("suite") or {}
    detail = str(suite.get("detail") or "")
    return f"{suite.get('status', '?')}: {detail[:160]}" if detail else str(suite.get("status"))


def measure(suite: Suite, work: Path, *, autoload: bool, seed: int) -> SuiteFigures:
    """Every run of one suite, in the order the figures need (history before warm runs)."""
    runner = Runner(suite, work, autoload=autoload, seed=seed)
    figures = SuiteFigures(suite)
    figures.plain_s = runner.plain()
    figures.xdist_s = runner.xdist()
    figures.seamq["cold"] = runner.seamq()
    figures.seamq["warm"] = runner.seamq("--no-cache")
    figures.seamq["cached"] = runner.seamq()
    if suite.name in ("uniform", "skewed"):
        figures.seamq["warm-noval"] = runner.seamq("--no-cache", "--skip-validation",
                                                   "--repeats", "1")
    return figures
