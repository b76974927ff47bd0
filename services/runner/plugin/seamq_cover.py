"""Coverage for seamq's plugin: started when ``seamq_order`` is imported (by ``-p``, before
any conftest or test module), stopped and saved at session end.

Only the standard library and, when installed where the tests run, coverage.py. Data is kept
in memory (``data_file=None``) while tests run, so no file a test can reach exists until the
plugin writes ``coverage.sqlite`` itself at session end; the digest of the data (not of the
file) goes into the signed ``results.json``, and the runner recomputes it from the file.
The tracer installed at start is checked after every test and at the end: a test that stops,
restarts or replaces the measurement is noticed. Limits: docs/architecture.md, "Coverage".
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Any

ARG = "--seamq-cov="
DATA_FILE = "coverage.sqlite"


def digest(data: Any) -> str:
    """SHA-256 over a CoverageData's files and arcs (the runner computes the same)."""
    measured = sorted(data.measured_files())
    body = [[name, sorted(data.arcs(name) or [])] for name in measured]
    return hashlib.sha256(json.dumps(body, separators=(",", ":")).encode()).hexdigest()


class Measurement:
    """One coverage.py measurement over the source folders the runner named."""

    def __init__(self, sources: list[str]) -> None:
        self.sources = sources
        self.problem = ""
        self.cov: Any = None
        self.tracer: Any = None
        self.module: Any = None

    @classmethod
    def from_argv(cls, argv: list[str]) -> Measurement | None:
        sources = [a[len(ARG):] for a in argv if a.startswith(ARG)]
        return cls(sources) if sources else None

    def start(self) -> None:
        try:
            import coverage
        except ImportError:
            self.problem = "coverage.py missing where the tests ran"
            return
        self.module = coverage
        roots = [os.path.join(os.getcwd(), s) for s in self.sources]
        self.cov = coverage.Coverage(data_file=None, branch=True, source=roots,
                                     config_file=False)
        self.cov.start()
        self.tracer = sys.gettrace()

    def check(self, when: str) -> None:
        """Notice a measurement that was stopped, restarted or replaced since it started."""
        if self.cov is None or self.problem:
            return
        if sys.gettrace() is not self.tracer or self.module.Coverage.current() is not self.cov:
            self.problem = f"the coverage measurement was stopped or replaced {when}"

    def finish(self, out: str) -> dict[str, Any]:
        """Stop, write the data to ``out`` and return what the signed record carries."""
        self.check("while tests ran")
        record: dict[str, Any] = {"problem": self.problem, "root": os.getcwd(),
                                  "sources": self.sources, "file": "", "digest": ""}
        if self.cov is None:
            return record
        self.cov.stop()
        data = self.cov.get_data()
        path = os.path.join(out, DATA_FILE)
        if os.path.lexists(path):
            os.unlink(path)
        saved = self.module.CoverageData(basename=path)
        saved.update(data)
        saved.write()
        record.update(file=DATA_FILE, digest=digest(data), version=self.module.__version__)
        return record
