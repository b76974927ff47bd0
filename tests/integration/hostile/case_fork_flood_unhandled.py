"""A fork flood whose refusal goes unhandled: the test dies of it with its workers still alive."""

import os
import time


def test_spawns_workers_until_refused():
    workers = []
    try:
        while True:
            pid = os.fork()
            if pid == 0:
                time.sleep(60)
                os._exit(0)
            workers.append(pid)
    finally:
        time.sleep(2)  # a real pool holds its workers while it fails; so does this
