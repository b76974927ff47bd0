"""What one pytest process left behind, already read from disk and typed.

The runner reads the files (``services/runner/evidence.py``); the judging here never does
IO. Three records must agree: seamq's plugin (``collected.json``, ``results.json``),
pytest's JUnit XML, and the exit status the sandbox saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.contract import Outcome

PYTEST_EXIT = {
    0: "all tests passed",
    1: "some tests failed",
    2: "interrupted or collection errors",
    3: "pytest internal error",
    4: "pytest usage error",
    5: "no tests collected",
}


@dataclass(frozen=True)
class JunitCase:
    """One ``<testcase>`` of pytest's JUnit XML (``line`` is 0-based, as pytest writes it)."""

    nodeid: str
    file: str
    line: int
    outcome: Outcome
    duration_s: float
    message: str


@dataclass(frozen=True)
class PluginResults:
    """``results.json``: what the plugin saw each test do, and whether it saw tampering."""

    exitstatus: int | None
    order: tuple[str, ...] = ()
    outcomes: dict[str, str] = field(default_factory=dict)
    tampered: tuple[str, ...] = ()
    collect_errors: tuple[str, ...] = ()
    ran: tuple[str, ...] | None = None  # None: a plugin too old to record it
    overridden: tuple[tuple[str, str], ...] = ()  # (option, why) seamq took out
    python: str = ""  # versions inside the sandbox, as the test process saw them
    pytest: str = ""


@dataclass(frozen=True)
class ProcessEvidence:
    """Everything one process is judged from.

    ``collected`` is None when ``collected.json`` is absent or empty (collection never
    finished); ``junit`` is None when the JUnit file could not be read, with ``junit_error``
    saying why; ``failure`` is the sandbox's failure kind (``timeout``, ``infrastructure``…).
    """

    seed: int
    exit_code: int | None
    duration_s: float = 0.0
    failure: str | None = None
    failure_reason: str = ""
    collected: tuple[str, ...] | None = None
    results: PluginResults | None = None
    junit: tuple[JunitCase, ...] | None = None
    junit_error: str = ""
    seam_marks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # @pytest.mark.seam
