"""seamq's pytest plugin, loaded with ``-p seamq_order`` inside the sandbox.

It shuffles the collected tests with a recorded seed, writes what was collected and what
each test did to ``--seamq-out``, and watches for test code that tampers with pytest's
verdict machinery. It keeps the proof under seamq's control: options in the project's own
configuration (``addopts``) or on the command line that parallelise, rerun, stop early or
reorder are taken out before pytest parses them, and each removal is recorded with its
reason; the plugins behind them are blocked on seamq's command line (``-p no:xdist`` …)
and their markers registered, so ``--strict-markers`` projects still collect. It records
the order tests actually ran in, so the runner can check it is the order seamq chose.
It imports nothing from seamq: only the standard library and pytest.

Records are authenticated: the runner leaves a one-time key in ``.seamq-key`` in the outputs
directory; this module reads and deletes it when it is imported (``-p`` imports it before
any conftest or test module), keeps it only in a closure, and writes an HMAC with each
record. A test that writes records of its own cannot sign them. The limits of this
guarantee are in docs/architecture.md ("Evidence the test cannot touch").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from seamq_control import (  # type: ignore[import-not-found]  # beside this file in support/
    BLOCKED_PLUGINS,
    OVERRIDES_KEY,
    pytest_load_initial_conftests,
)
from seamq_cover import Measurement  # type: ignore[import-not-found]
from seamq_watch import (  # type: ignore[import-not-found]
    hook_owners,
    new_hooks,
    snapshot,
)

__all__ = ["pytest_load_initial_conftests"]

KEY_FILE = ".seamq-key"


def _take_key() -> Callable[[bytes], str] | None:
    """Read and delete the runner's one-time key; return a signer that holds it."""
    out = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--seamq-out=")), None)
    if out is None:
        return None
    path = os.path.join(out, KEY_FILE)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        key = os.read(fd, 256)
    finally:
        os.close(fd)
        os.unlink(path)
    return lambda data: hmac.new(key, data, hashlib.sha256).hexdigest()


_sign = _take_key()
# Started now, before any conftest or test module is imported (``-p`` loads this early).
_measure = Measurement.from_argv(sys.argv)
if _measure is not None:
    _measure.start()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("seamq")
    group.addoption("--seamq-seed", type=int, default=None, help="shuffle seed")
    group.addoption("--seamq-out", default=None, help="directory for seamq's records")
    group.addoption(
        "--seamq-reverse", action="store_true", help="run the shuffled order backwards"
    )
    group.addoption("--seamq-order-file", default=None,
                    help="JSON list of node ids: run exactly these, in this order")
    group.addoption("--seamq-cov", action="append", default=[],
                    help="folder measured with coverage.py (read at import)")


class SeamqRecorder:
    """Shuffles, records and watches one pytest session."""

    def __init__(self, config: pytest.Config, seed: int, out: Path, reverse: bool) -> None:
        self.config = config
        self.seed = seed
        self.reverse = reverse
        self.out = out
        self.order: list[str] = []
        self.collected: list[dict[str, Any]] = []
        self.collect_errors: list[str] = []
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.raised: dict[str, bool] = {}
        self.tampered: list[str] = []
        self.baseline = snapshot()
        self.hooks_at_start: dict[str, list[str]] = {}
        self.ran: list[str] = []
        self.overridden: list[dict[str, str]] = getattr(config, OVERRIDES_KEY, [])

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        # Every built-in and command-line plugin is in place; no test module is imported
        # yet. Any verdict hook that appears later, by whatever means, is tampering.
        self.hooks_at_start = hook_owners(self.config)

    def _check_hooks(self, when: str) -> None:
        changed = new_hooks(self.hooks_at_start, hook_owners(self.config))
        if changed:
            self.tampered.append(f"verdict hooks changed {when}: " + ", ".join(changed))
            self.hooks_at_start = hook_owners(self.config)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        given = self.config.getoption("seamq_order_file")
        if given:
            # A given order (narrowing down a polluter): exactly these tests, in this order.
            wanted = {nodeid: i for i, nodeid in enumerate(json.loads(Path(given).read_text()))}
            dropped = [item for item in items if item.nodeid not in wanted]
            items[:] = sorted((i for i in items if i.nodeid in wanted),
                              key=lambda item: wanted[item.nodeid])
            if dropped:
                self.config.hook.pytest_deselected(items=dropped)
        else:
            random.Random(self.seed).shuffle(items)
            if self.reverse:
                items.reverse()
        self.order = [item.nodeid for item in items]

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {str(report.longrepr)[-2000:]}")

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            path, line, _ = item.location
            seams = [str(arg) for mark in item.iter_markers("seam") for arg in mark.args]
            self.collected.append({"nodeid": item.nodeid, "file": path, "line": line,
                                   "seams": seams})
        self._check_hooks("during collection")
        self._write("collected.json", {"seed": self.seed, "collected": self.collected})

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        # Old-style wrapper: Debian's pytest 7 with pluggy 1.0 runs in sandbox images.
        outcome = yield
        self.raised[item.nodeid] = outcome.excinfo is not None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup":
            self.ran.append(report.nodeid)
        elif report.when == "teardown" and _measure is not None:
            _measure.check(f"by {report.nodeid}")
        entry = self.outcomes.setdefault(
            report.nodeid, {"outcome": "passed", "duration_s": 0.0, "message": ""}
        )
        entry["duration_s"] += report.duration
        if report.when == "call" and report.passed and self.raised.get(report.nodeid):
            self.tampered.append(f"{report.nodeid}: reported passed but its call raised")
        if report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry["message"] = str(report.longrepr)[-4000:]
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        changed = sorted(
            name for name, ident in snapshot().items() if self.baseline.get(name) != ident
        )
        if changed:
            self.tampered.append("pytest internals replaced: " + ", ".join(changed))
        self._check_hooks("while tests ran")
        coverage = _measure.finish(str(self.out)) if _measure is not None else None
        self._write(
            "results.json",
            {
                "seed": self.seed,
                "reverse": self.reverse,
                "order": self.order,
                "ran": self.ran,
                "overridden": self.overridden,
                "plugins_blocked": sorted(
                    name for name in BLOCKED_PLUGINS
                    if self.config.pluginmanager.is_blocked(name)),
                "exitstatus": int(exitstatus),
                "collect_errors": self.collect_errors,
                "outcomes": self.outcomes,
                "tampered": self.tampered,
                "pid": os.getpid(),
                "python": sys.version.split()[0],
                "pytest": pytest.__version__,
                "coverage": coverage,
            },
        )

    def _write(self, name: str, data: dict[str, Any]) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        tmp = self.out / f".{name}.tmp"
        record = {**data, "mac": _sign(_canonical(data)) if _sign is not None else None}
        tmp.write_text(json.dumps(record))
        tmp.replace(self.out / name)


def _canonical(data: dict[str, Any]) -> bytes:
    """The bytes a record's MAC covers (the runner computes the same)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def pytest_configure(config: pytest.Config) -> None:
    for name, (_, markers) in BLOCKED_PLUGINS.items():
        if config.pluginmanager.is_blocked(name):
            for marker in markers:
                config.addinivalue_line("markers", marker)
    config.addinivalue_line("markers", "seam(id): the plan seam a test belongs to (seamq)")
    out = config.getoption("seamq_out")
    if out is None:
        return
    seed = config.getoption("seamq_seed")
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    recorder = SeamqRecorder(config, seed, Path(out), bool(config.getoption("seamq_reverse")))
    config.pluginmanager.register(recorder, "seamq-recorder")
