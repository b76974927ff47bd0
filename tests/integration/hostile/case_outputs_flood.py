"""Writes 4 files of 500 MB into the outputs directory (sparse, so the test stays fast):
under the per-file cap each, 2 GB together."""

import os
import sys


def _outputs():
    return next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--seamq-out="))


def test_floods_the_outputs():
    for n in range(4):
        with open(os.path.join(_outputs(), f"flood-{n}.bin"), "wb") as f:
            f.truncate(500 * 1024 * 1024)
