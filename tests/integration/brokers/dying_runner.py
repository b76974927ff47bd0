"""A runner process for SIGKILL tests: reports each job it starts, then hangs until killed.

Usage: python dying_runner.py AMQP_URL PREFIX MAX_DELIVERIES; prints ``delivery N`` per job.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from shared.brokers.amqp import AmqpBroker
from shared.brokers.base import Delivery, Outgoing
from shared.logs import configure_logging
from shared.topology import RUNNER_QUEUE


async def main(url: str, prefix: str, max_deliveries: str) -> None:
    broker = AmqpBroker(url, prefix=prefix, max_deliveries=int(max_deliveries))
    await broker.start()

    async def hang(delivery: Delivery) -> Sequence[Outgoing]:
        print(f"delivery {delivery.delivery_count}", flush=True)
        await asyncio.Event().wait()
        return ()

    await broker.consume(RUNNER_QUEUE, hang)
    await asyncio.Event().wait()


if __name__ == "__main__":
    configure_logging(fmt="json", stream=sys.stderr)
    asyncio.run(main(*sys.argv[1:]))
