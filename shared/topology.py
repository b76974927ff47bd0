"""Names of the exchanges and queues seamq declares (documented in the AsyncAPI document)."""

from __future__ import annotations

BASE_PREFIX = "seamq"

WORK_EXCHANGE = "seamq.work"
EVENTS_EXCHANGE = "seamq.events"
DEAD_LETTER_EXCHANGE = "seamq.dlx"

RUNNER_QUEUE = "seamq.runner"
AUDITOR_QUEUE = "seamq.auditor"
RESULTS_QUEUE = "seamq.results"
SUBMISSIONS_QUEUE = "seamq.submissions"
DEAD_LETTER_QUEUE = "seamq.dead"

WORK_QUEUES = (RUNNER_QUEUE, AUDITOR_QUEUE, RESULTS_QUEUE, SUBMISSIONS_QUEUE)

MAX_PRIORITY = 9
MAX_DELIVERIES = 5

DELIVERY_COUNT_HEADER = "x-seamq-delivery-count"
REJECT_REASON_HEADER = "x-seamq-reject-reason"
ORIGIN_QUEUE_HEADER = "x-seamq-origin-queue"


def priority_for(rank: int) -> int:
    """Broker priority for a seam priority rank (P0 -> 9, P3 -> 6): higher is served first."""
    return MAX_PRIORITY - max(0, min(rank, 3))


def event_key(run_id: str, event: str) -> str:
    """Routing key on the events exchange: ``run.<run_id>.<event>``."""
    return f"run.{run_id}.{event}"


def prefixed(name: str, prefix: str) -> str:
    """The server-side name of a topology name under ``SEAMQ_BROKER_PREFIX`` (``seamq`` →
    ``prefix``): what ``seamq.runner`` is called on a fleet with another prefix."""
    if name == BASE_PREFIX or name.startswith(BASE_PREFIX + "."):
        return prefix + name[len(BASE_PREFIX):]
    return name
