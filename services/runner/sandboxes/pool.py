"""The sandboxes a process has chosen, one per (kind, image), closed together at the end.

Shared by every way of hosting a runner (``seamq run`` and ``seamq runner``), so that an
``auto`` fallback is announced once and a docker sandbox's reaper runs once per process.
"""

from __future__ import annotations

from collections.abc import Callable

from services.runner.sandboxes.base import Sandbox
from services.runner.sandboxes.selection import choose_sandbox
from shared.contract import ExecutionSpec


class SandboxPool:
    """One sandbox per (kind, image), chosen once with a notice when ``auto`` falls back."""

    def __init__(self, notice: Callable[[str], None]) -> None:
        self.notice = notice
        self._made: dict[tuple[str, str], Sandbox] = {}

    def __call__(self, spec: ExecutionSpec) -> Sandbox:
        key = (spec.sandbox, spec.image)
        if key not in self._made:
            self._made[key] = choose_sandbox(spec.sandbox, spec.image, self.notice)
        return self._made[key]

    def close(self) -> None:
        for sandbox in self._made.values():
            sandbox.close()
