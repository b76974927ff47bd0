"""One exception hierarchy for seamq; callers catch these by name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class SeamqError(Exception):
    """Base of every error seamq raises on purpose."""

    exit_code = 3


class UsageError(SeamqError):
    """Bad command-line input or configuration: exit code 4."""

    exit_code = 4


class PlanError(UsageError):
    """A plan that cannot be used, located at ``path:line``."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


class PolicyError(UsageError):
    """A malformed audit policy or an unknown rule id."""


class DecodeError(SeamqError):
    """A message body that is not a valid message of the contract."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BrokerError(SeamqError):
    """The broker refused, lost or could not route a message."""


class PublishError(BrokerError):
    """A publish was not confirmed or was unroutable within its time limit."""


class SandboxError(SeamqError):
    """A sandbox could not be created or run (infrastructure, not the test's fault)."""


class DependencyError(SandboxError):
    """The project's dependency files (requirements, pyproject, lock files) cannot be read."""


class GenerationError(SeamqError):
    """A generator failed to produce a test file."""


class RejectMessage(SeamqError):
    """Raised by a handler to dead-letter the current message with a reason.

    ``replies`` (``Outgoing`` messages) are published first: a runner that gives up on a
    job still reports it, so the run it belongs to can finish."""

    def __init__(self, reason: str, replies: Sequence[Any] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.replies = tuple(replies)
