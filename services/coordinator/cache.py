"""The result cache at work in a run: keys computed on submission, cached seams finished
at the start, fresh stable proofs remembered when the run ends (``proofs.py`` says what a
key covers)."""

from __future__ import annotations

from pathlib import Path

from services.coordinator.proofs import commit_of, proof_keys, suite_key
from services.coordinator.state import CachedProof, RunState
from services.coordinator.store import RunStore
from shared.contract import JobResult


def look_up(state: RunState, store: RunStore, project_dir: Path) -> None:
    """Key every seam's proof and find the unchanged ones (none with ``--no-cache``)."""
    specs = [s for s in state.request.parsed_plan.seams if s.id in state.seams]
    state.proof_keys = proof_keys(state.request, project_dir, specs)
    state.commit = commit_of(project_dir)
    if state.request.no_cache or state.request.generator.regenerate:
        return
    for seam_id, key in state.proof_keys.items():
        proof = store.proof(key)
        if proof is not None:
            state.cached[seam_id] = proof
    if state.cached.keys() == state.seams.keys():
        state.suite_key = suite_key(state.proof_keys, state.order)
        state.suite_cached = store.proof(state.suite_key)


def cached_result(state: RunState, seam_id: str) -> JobResult | None:
    """The passing result a cached proof stands for, or None."""
    proof = state.cached.get(seam_id)
    if proof is None:
        return None
    return JobResult(job_id=f"{state.run_id}.{seam_id}.cached", run_id=state.run_id,
                     kind="seam", seam_id=seam_id, status="passed", reason=proof.said(),
                     tests=tuple(proof.tests))


def remember(state: RunState, store: RunStore) -> None:
    """Record the stable proofs this run made (cached ones are already recorded)."""
    fresh: dict[str, CachedProof] = {}
    for seam_id, seam in state.seams.items():
        key = state.proof_keys.get(seam_id)
        if (key and seam.status == "passed" and not seam.generated
                and seam_id not in state.cached and seam.result is not None):
            fresh[key] = CachedProof(run_id=state.run_id, at=state.finished_at,
                                     commit=state.commit, tests=list(seam.result.tests))
    everything_passed = all(s.status == "passed" for s in state.seams.values())
    if state.suite.status in ("isolated", "skipped") and everything_passed \
            and state.suite.detail != "--skip-validation" and state.proof_keys:
        key = suite_key(state.proof_keys, state.order)
        if state.suite_cached is None:
            fresh[key] = CachedProof(run_id=state.run_id, at=state.finished_at,
                                     commit=state.commit)
    if fresh:
        store.record_proofs(fresh)
