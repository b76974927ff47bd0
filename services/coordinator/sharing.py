"""Seams whose tests live in one file: which seams share it, and whose run to reuse.

The file runs once per proof (G1 holds for each of its seams from the same processes);
each seam is then judged on its own tests (``shared.status.attribution``).
"""

from __future__ import annotations

from collections.abc import Mapping

from services.coordinator.state import RunState, SeamState
from shared.contract import Seam


def sharing_file(state: RunState, specs: Mapping[str, Seam], seam: SeamState) -> dict[str, str]:
    """Seam id -> title of the selected seams whose tests are in this seam's file (itself
    included); a generated file is its own seam's alone."""
    own = specs[seam.id].output_file
    if seam.content is not None:
        return {seam.id: specs[seam.id].title}
    return {sid: specs[sid].title for sid, other in state.seams.items()
            if specs[sid].output_file == own and other.content is None}


def sharing_run(state: RunState, specs: Mapping[str, Seam], seam: SeamState
                ) -> SeamState | None:
    """A seam of the same file whose execution is under way or done, if any."""
    for sid in sharing_file(state, specs, seam):
        other = state.seams[sid]
        if sid == seam.id or other.job_id is None or ".execute." not in other.job_id:
            continue
        if other.status == "executing" or (other.result is not None
                                           and other.result.phase == "execute"):
            return other
    return None
