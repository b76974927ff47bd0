"""A runaway loop: never returns, never sleeps."""


def test_runaway_loop():
    n = 0
    while True:
        n += 1
