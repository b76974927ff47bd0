"""Submitting as another tool does: a RunRequest written as plain JSON, published on the
submissions queue, and the run followed on the events exchange until it ends."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from shared.brokers.base import Broker
from shared.contract import RunEvent
from shared.topology import SUBMISSIONS_QUEUE, event_key

BAD_PLAN_TEXT = """# A plan with a mistake on line 7

### SEAM 1: Demo seam 1
- **Priority**: P1
- **Output File**: `tests/test_seam_01_integration.py`

### SEAM 1: Demo seam 1 again
- **Priority**: P1
"""


def request_body(run_id: str, project: Path, **plan: str) -> bytes:
    """A RunRequest with one form of the plan (plan_path or plan_text), run once, locally."""
    return json.dumps({
        "run_id": run_id,
        "project": {"kind": "path", "path": str(project)},
        "execution": {"sandbox": "local", "repeats": 1, "confirm": 0},
        "submitted_by": "another-tool",
        **plan,
    }).encode()


async def follow(broker: Broker, run_id: str, body: bytes, timeout: float = 120) -> RunEvent:
    """Publish ``body`` and return the run's ``finished`` or ``rejected`` event."""
    ended: asyncio.Future[RunEvent] = asyncio.get_running_loop().create_future()

    async def on_event(event: RunEvent) -> None:
        if event.event in ("finished", "rejected") and not ended.done():
            ended.set_result(event)

    subscription = await broker.subscribe_events(event_key(run_id, "#"), on_event)
    try:
        await broker.publish_raw(SUBMISSIONS_QUEUE, body, message_type="RunRequest",
                                 message_id=run_id, correlation_id=run_id)
        return await asyncio.wait_for(ended, timeout)
    finally:
        await subscription.cancel()
