"""Replaces results.json with a symlink to /dev/zero, after the plugin wrote it: a reader
that follows links reads without end."""

import atexit
import os
import sys


def _outputs():
    return next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--seamq-out="))


def _swap():
    path = os.path.join(_outputs(), "results.json")
    if os.path.exists(path):
        os.unlink(path)
    os.symlink("/dev/zero", path)


def test_links_a_record_to_dev_zero():
    atexit.register(_swap)
