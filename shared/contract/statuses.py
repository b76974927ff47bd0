"""Every status, outcome and kind seamq names, declared once, with tuples of their values.

Code elsewhere uses these Literals for its own types and these tuples (derived with
``typing.get_args``) for ordering and iteration, so no list of statuses is written twice.
The tuples' order is the order reports show.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypeAlias, TypeGuard, get_args

# --- priorities -------------------------------------------------------------------------

PriorityName: TypeAlias = Literal["P0", "P1", "P2", "P3"]
PriorityLabel: TypeAlias = Literal[PriorityName, "deferred"]


class Priority(StrEnum):
    """A seam's priority in the plan. An enum (not only a Literal) so a plan carries ``rank``;
    its values must stay those of ``PriorityName`` (tests/unit/test_contract.py checks)."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"

    @property
    def rank(self) -> int:
        return int(self.value[1])

    @property
    def label(self) -> PriorityName:
        return PRIORITY_NAMES[self.rank]


# --- a seam -----------------------------------------------------------------------------

ActiveStatus: TypeAlias = Literal["pending", "generating", "auditing", "executing"]
TerminalStatus: TypeAlias = Literal["passed", "failed", "flaky", "rejected", "missing", "error"]
SeamStatus: TypeAlias = Literal[ActiveStatus, TerminalStatus]

# --- tests and pytest processes ---------------------------------------------------------

Outcome: TypeAlias = Literal["passed", "failed", "error", "skipped"]
"""One test in one pytest process."""
TestOutcome: TypeAlias = Literal["passed", "failed", "flaky", "error", "skipped"]
"""One test across the repeats of a job."""
ProcessOutcome: TypeAlias = Literal["passed", "failed", "error"]
"""One pytest process, judged from its evidence."""
RepeatsStatus: TypeAlias = Literal["passed", "failed", "flaky", "error"]
"""The repeats of a job, combined."""

# --- jobs, validation and the run -------------------------------------------------------

ValidationScope: TypeAlias = Literal["batch", "suite"]
JobKind: TypeAlias = Literal["seam", ValidationScope]
JobPhase: TypeAlias = Literal["generate", "execute"]
AttemptPhase: TypeAlias = Literal["generate", "audit", "execute"]
JobStatus: TypeAlias = Literal[
    "passed", "failed", "flaky", "missing", "error", "generated", "isolated", "conflict"
]
ValidationOutcome: TypeAlias = Literal["isolated", "conflict", "error"]
"""What running several seams' files together showed."""
ValidationStatus: TypeAlias = Literal[ValidationOutcome, "skipped"]
ValidationProgress: TypeAlias = Literal["pending", "running", ValidationStatus]
"""A batch or the suite inside the coordinator, before it has a reportable status."""
RunStatus: TypeAlias = Literal["passed", "failed", "interrupted", "error"]
RunEventKind: TypeAlias = Literal["accepted", "seam", "batch", "suite", "finished", "rejected"]

PRIORITY_NAMES: tuple[PriorityName, ...] = get_args(PriorityName)
PRIORITY_LABELS: tuple[PriorityLabel, ...] = get_args(PriorityLabel)
SEAM_STATUSES: tuple[SeamStatus, ...] = get_args(SeamStatus)
TERMINAL_STATUSES: tuple[TerminalStatus, ...] = get_args(TerminalStatus)
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
TEST_OUTCOMES: tuple[TestOutcome, ...] = get_args(TestOutcome)
VALIDATION_STATUSES: tuple[ValidationStatus, ...] = get_args(ValidationStatus)
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)


def is_terminal(status: str) -> TypeGuard[TerminalStatus]:
    """True for a status a seam ends in (and the report shows)."""
    return status in TERMINAL_STATUSES


def is_validation_status(status: str) -> TypeGuard[ValidationStatus]:
    """True for a status a batch or the suite can be reported with."""
    return status in VALIDATION_STATUSES
