"""Another tool submits to a fleet on RabbitMQ with a plan's path or text (no seamq client):
the coordinator process reads the plan, the run finishes with its report, and a bad plan is
rejected at its line."""

from __future__ import annotations

import pytest

from tests.integration.submission import BAD_PLAN_TEXT, follow, request_body

from .demo import demo_project
from .fleet import Fleet

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.timeout(240)]


async def test_a_plan_path_published_by_another_tool_gets_the_finished_report(
    fleet: Fleet,
) -> None:
    project = demo_project(fleet.root / "project", 2, sleep_s=0)
    await fleet.coordinator()
    await fleet.auditor()
    await fleet.runner()

    async with fleet.broker() as broker:
        event = await follow(broker, "tool-path", request_body(
            "tool-path", project.root, plan_path="tests/TEST_PLAN.md"))

    assert event.event == "finished", event.detail
    assert event.report is not None
    assert event.report.status == "passed"
    assert [s.id for s in event.report.seams] == ["1", "2"]


async def test_a_bad_plan_text_is_rejected_with_its_line(fleet: Fleet) -> None:
    project = demo_project(fleet.root / "project", 1, sleep_s=0)
    await fleet.coordinator()

    async with fleet.broker() as broker:
        event = await follow(broker, "tool-text", request_body(
            "tool-text", project.root, plan_text=BAD_PLAN_TEXT))

    assert event.event == "rejected"
    assert event.detail.startswith("run tool-text: plan_text:7: duplicate seam id '1'")
