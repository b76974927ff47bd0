"""Test-suite wiring: what pytest-xdist workers may and may not do at the same time.

Every RabbitMQ test works on a name prefix of its own, so they run side by side, except the
few that stop the broker itself (marked ``rabbitmq_restart``): those hold an exclusive lock
that every other ``rabbitmq`` test shares (``fcntl.flock`` on a file, across the workers),
so no test ever finds the broker gone under it. Docker tests are isolated by the runner
identity and sandbox instance on every container (counts, reaping and twins are by those
labels, and the reaper only touches the containers of dead or expired runners), so they
spread like the rest.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

RABBITMQ_LOCK = Path(tempfile.gettempdir()) / f"seamq-tests-rabbitmq-{os.getuid()}.lock"


@pytest.fixture(autouse=True)
def _rabbitmq_turn(request: pytest.FixtureRequest) -> Iterator[None]:
    """Shared for a ``rabbitmq`` test, exclusive for one that restarts the broker; held
    from before the test's own fixtures are set up until after they are torn down."""
    item = request.node
    if item.get_closest_marker("rabbitmq_restart"):
        mode = fcntl.LOCK_EX
    elif item.get_closest_marker("rabbitmq"):
        mode = fcntl.LOCK_SH
    else:
        yield
        return
    with RABBITMQ_LOCK.open("a") as lock:
        fcntl.flock(lock, mode)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
