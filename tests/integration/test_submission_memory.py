"""Another tool submits a plan by path or by text on the in-memory broker: the coordinator
reads it with the one plan reader and the run finishes, or is rejected at the plan's line."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.cli.wiring import SERVICES, Components, Host
from services.coordinator.service import CoordinatorService
from services.coordinator.store import RunStore
from services.runner.sandboxes.local import LocalSandbox
from services.runner.service import RunnerService
from shared.brokers.memory import InMemoryBroker
from tests.integration.fleet.demo import demo_project

from .submission import BAD_PLAN_TEXT, follow, request_body

pytestmark = [pytest.mark.timeout(180)]


@pytest.fixture
async def broker(tmp_path: Path) -> AsyncIterator[InMemoryBroker]:
    """Every service on one in-memory broker, as ``seamq run`` hosts them."""
    broker = InMemoryBroker()
    store = RunStore(":memory:")
    sandbox = LocalSandbox()
    components = Components(
        coordinator=CoordinatorService(store, tmp_path / "cache", seed=7),
        runner=RunnerService(lambda spec: sandbox, tmp_path / "cache", worker="test"),
    )
    host = Host(broker, middleware=(), concurrency=2)
    await broker.start()
    await host.start(SERVICES, components)
    try:
        yield broker
    finally:
        await host.stop()
        await broker.close()
        store.close()


async def test_a_plan_path_runs_to_the_finished_report(broker: InMemoryBroker,
                                                      tmp_path: Path) -> None:
    project = demo_project(tmp_path / "project", 2, sleep_s=0)

    event = await follow(broker, "by-path", request_body(
        "by-path", project.root, plan_path="tests/TEST_PLAN.md"))

    assert event.event == "finished", event.detail
    assert event.report is not None
    assert event.report.plan == "tests/TEST_PLAN.md"
    assert [(s.id, s.status) for s in event.report.seams] == [("1", "passed"), ("2", "passed")]


async def test_a_bad_plan_text_is_rejected_at_its_line(broker: InMemoryBroker,
                                                      tmp_path: Path) -> None:
    project = demo_project(tmp_path / "project", 1, sleep_s=0)

    event = await follow(broker, "by-text", request_body(
        "by-text", project.root, plan_text=BAD_PLAN_TEXT))

    assert event.event == "rejected"
    assert "plan_text:7: duplicate seam id '1'" in event.detail
    # The submission itself is dead-lettered with the same reason.
    assert [m.headers.get("x-seamq-reject-reason") for m in broker.dead_letters()] \
        == [event.detail]
