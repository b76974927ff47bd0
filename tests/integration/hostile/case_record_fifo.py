"""Replaces collected.json with a FIFO: a reader that opens it blocks until a writer comes."""

import os
import sys


def _outputs():
    return next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--seamq-out="))


def test_replaces_a_record_with_a_fifo():
    path = os.path.join(_outputs(), "collected.json")
    os.unlink(path)
    os.mkfifo(path)
