"""The run report carries what the plan says about each seam."""

from __future__ import annotations

from pathlib import Path

from services.coordinator.report_builder import build_report
from tests.unit.test_machine import _machine, _seam


def test_the_report_carries_each_seams_scope_impact_and_success_criteria(
    tmp_path: Path,
) -> None:
    seam = _seam("1").model_copy(update={"scope": "API → cache", "impact": "stale prices",
                                         "success_criteria": "a write invalidates the entry"})
    machine = _machine(tmp_path, (seam,), files=False)

    [reported] = build_report(machine.state).seams

    assert (reported.scope, reported.impact, reported.success_criteria) == (
        "API → cache", "stale prices", "a write invalidates the entry")
