"""A bounded fork flood: forking stops at the sandbox's process limit, well before the host's."""

import os
import signal
import time


def _fork_until_refused(attempts):
    """Fork sleeping children until fork fails; returns (children, the refusal or None)."""
    children = []
    for _ in range(attempts):
        try:
            pid = os.fork()
        except BlockingIOError as refusal:
            return children, refusal
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
    return children, None


def test_fork_flood_is_refused_at_the_process_limit():
    limit = int(os.environ["PIDS_LIMIT"])
    children, refusal = _fork_until_refused(limit * 4)
    for pid in children:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert refusal is not None
    assert 0 < len(children) < limit
