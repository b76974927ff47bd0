"""The coordinator's outbox: a transition's messages are saved with the run, so a coordinator
that dies before sending them sends them after its restart; duplicate results change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.coordinator.service import CoordinatorService
from services.coordinator.store import RunStore
from shared.brokers.base import Delivery, Outgoing
from shared.contract import (
    AuditJob,
    AuditReport,
    Priority,
    ProjectSource,
    RunEvent,
    RunRequest,
    Seam,
    TestPlan,
)
from shared.topology import AUDITOR_QUEUE, RESULTS_QUEUE, SUBMISSIONS_QUEUE


class Crash(Exception):
    """Stands for the process dying mid-send."""


class Outlet:
    """Records what the coordinator sends; crashes on the send numbered ``crash_at``."""

    def __init__(self, crash_at: int | None = None) -> None:
        self.sent: list[Outgoing] = []
        self.crash_at = crash_at

    async def __call__(self, item: Outgoing) -> None:
        if self.crash_at is not None and len(self.sent) + 1 == self.crash_at:
            raise Crash
        self.sent.append(item)

    def of(self, kind: type) -> list[object]:
        return [o.message for o in self.sent if isinstance(o.message, kind)]


def _request(project: Path) -> RunRequest:
    seam = Seam(id="1", title="API -> cache", line=1, priority=Priority.P0,
                output_file="tests/test_cache_integration.py")
    path = project / seam.output_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('"""Cache."""\n\n\ndef test_hit():\n    """Hit."""\n    assert 1 + 1 == 2\n')
    return RunRequest(run_id="r1", plan=TestPlan(path="tests/TEST_PLAN.md", seams=(seam,)),
                      project=ProjectSource(path=str(project)))


def _delivery(message: RunRequest | AuditReport, queue: str) -> Delivery:
    return Delivery(message=message, queue=queue, message_id="m")


def _service(tmp_path: Path, outlet: Outlet) -> CoordinatorService:
    store = RunStore(tmp_path / "state" / "coordinator.sqlite")
    return CoordinatorService(store, tmp_path / "cache", clock=lambda: 100.0, seed=1,
                              outlet=outlet)


async def test_messages_unsent_at_a_crash_are_sent_by_the_restarted_coordinator(
    tmp_path: Path,
) -> None:
    request = _request(tmp_path / "project")
    first = Outlet(crash_at=1)
    with pytest.raises(Crash):
        await _service(tmp_path, first).on_submission(_delivery(request, SUBMISSIONS_QUEUE))

    second = Outlet()
    await _service(tmp_path, second).resume()

    assert first.sent == []
    assert [o.queue for o in second.sent if o.queue] == [AUDITOR_QUEUE]
    assert [e.event for e in second.of(RunEvent)] == ["accepted", "seam"]  # type: ignore[attr-defined]


async def test_outbox_is_empty_once_everything_was_sent(tmp_path: Path) -> None:
    outlet = Outlet()
    service = _service(tmp_path, outlet)

    returned = await service.on_submission(_delivery(_request(tmp_path / "p"), SUBMISSIONS_QUEUE))

    assert returned == []
    assert outlet.of(AuditJob)
    assert service.store.unsent() == []


async def test_a_duplicate_result_changes_nothing(tmp_path: Path) -> None:
    outlet = Outlet()
    service = _service(tmp_path, outlet)
    await service.on_submission(_delivery(_request(tmp_path / "p"), SUBMISSIONS_QUEUE))
    (job,) = outlet.of(AuditJob)
    assert isinstance(job, AuditJob)
    report = AuditReport(job_id=job.job_id, run_id=job.run_id, seam_id=job.seam_id, path=job.path)

    await service.on_result(_delivery(report, RESULTS_QUEUE))
    sent_once = len(outlet.sent)
    state_once = service.store.load("r1")
    await service.on_result(_delivery(report, RESULTS_QUEUE))

    assert len(outlet.sent) == sent_once
    assert service.store.load("r1") == state_once
    assert state_once is not None
    assert state_once.processed.count(job.job_id) == 1
