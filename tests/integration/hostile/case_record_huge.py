"""Leaves a 130 MB results.json (sparse, so it costs no disk): a reader that loads it whole
takes over a gigabyte."""

import atexit
import os
import sys


def _outputs():
    return next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--seamq-out="))


def _grow():
    with open(os.path.join(_outputs(), "results.json"), "r+b") as f:
        f.truncate(130 * 1024 * 1024)


def test_grows_a_record_to_130_mb():
    atexit.register(_grow)
