"""A RunRequest may carry the plan's path or text instead of the parsed plan: exactly one of
the three; the coordinator reads it with the one plan reader, and a plan error rejects the
run with ``PLAN:LINE``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.coordinator.service import CoordinatorService
from services.coordinator.store import RunStore
from shared.brokers.base import Delivery
from shared.contract import RunEvent, RunRequest, decode
from shared.errors import DecodeError, RejectMessage
from shared.plan import read_plan, read_plan_text
from shared.topology import SUBMISSIONS_QUEUE

PLAN = """# Cache plan

### SEAM 1: API → Cache

**Priority**: P0
**Integration Scope**: the API reads through the cache
**Output File**: tests/test_cache_integration.py
"""
BAD_PLAN = PLAN + "\n### SEAM 1: Cache → Store\n\n**Priority**: P1\n"
TEST = '"""Cache."""\n\n\ndef test_hit():\n    """Hit."""\n    assert 1 + 1 == 2\n'


def _project(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "TEST_PLAN.md").write_text(PLAN, encoding="utf-8")
    (root / "tests" / "test_cache_integration.py").write_text(TEST, encoding="utf-8")
    return root


def _body(project: Path, **plan: str) -> bytes:
    """A RunRequest as another tool writes it: plain JSON, no seamq imports needed."""
    return json.dumps({"run_id": "r1", "project": {"path": str(project)}, **plan}).encode()


async def _submit(tmp_path: Path, request: RunRequest) -> list[RunEvent]:
    service = CoordinatorService(RunStore(":memory:"), tmp_path / "cache", clock=lambda: 1.0,
                                 seed=1)
    out = await service.on_submission(Delivery(message=request, queue=SUBMISSIONS_QUEUE,
                                               message_id="m"))
    return [o.message for o in out if isinstance(o.message, RunEvent)]


@pytest.mark.parametrize("plans", [{}, {"plan_path": "a.md", "plan_text": "# x"}])
def test_a_request_takes_exactly_one_form_of_the_plan(plans: dict[str, str]) -> None:
    with pytest.raises(DecodeError, match=r"exactly one of plan .*plan_path.* or plan_text"):
        decode("RunRequest", _body(Path("/srv/p"), **plans))


def test_the_plan_text_reads_as_the_same_plan_as_its_file(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    (project / "TEST_PLAN.md").write_text(PLAN, encoding="utf-8")

    assert read_plan_text(PLAN, project) == read_plan(project / "TEST_PLAN.md", project)


async def test_the_coordinator_reads_a_plan_path_relative_to_the_project(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path / "p")
    request = decode("RunRequest", _body(project, plan_path="tests/TEST_PLAN.md"))
    assert isinstance(request, RunRequest)

    events = await _submit(tmp_path, request)

    assert [e.event for e in events][:1] == ["accepted"]
    assert events[0].detail == "1 seam(s) selected"


async def test_a_bad_plan_text_is_rejected_with_its_line(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    request = decode("RunRequest", _body(project, plan_text=BAD_PLAN))
    assert isinstance(request, RunRequest)

    with pytest.raises(RejectMessage) as caught:
        await _submit(tmp_path, request)

    [reply] = caught.value.replies
    assert reply.message.event == "rejected"
    assert "run r1: plan_text:9: duplicate seam id '1'" in reply.message.detail


async def test_a_plan_path_outside_the_project_is_rejected(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    request = decode("RunRequest", _body(project, plan_path="../elsewhere/TEST_PLAN.md"))
    assert isinstance(request, RunRequest)

    with pytest.raises(RejectMessage, match="escapes the project"):
        await _submit(tmp_path, request)
