"""The batches' verdicts, derived from the suite's validation processes (no batch jobs).

See ``shared.status.validation`` for what each verdict means.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.coordinator.jobs import passed_files
from services.coordinator.state import RunState
from shared.contract import JobResult, Seam
from shared.status import batch_verdict
from shared.status.validation import in_files


def derive_batches(state: RunState, specs: Mapping[str, Seam], suite: JobResult | None) -> None:
    """Give every batch its verdict from the suite's result (``None``: the suite skipped)."""
    for batch in state.batches:
        files = passed_files(state, dict(specs), batch.seams)[0]
        if suite is None:  # skipped, or unchanged since a conflict-free suite (cached)
            cached = state.suite.status == "isolated"
            batch.status = "isolated" if cached and files else "skipped"
            batch.detail = state.suite.detail
            continue
        verdict = batch_verdict(suite, files)
        batch.status, batch.detail = verdict.status, verdict.detail
        batch.conflicts = list(verdict.conflicts)
        batch.victims = [t for t in suite.tests
                         if t.outcome != "passed" and in_files(t, files)][:200]
        batch.seed = state.suite.seed
