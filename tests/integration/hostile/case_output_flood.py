"""Prints far more than any report keeps."""

import sys

import pytest


def test_output_flood():
    line = "x" * 1023 + "\n"
    for _ in range(4 * 1024):
        sys.stdout.write(line)
    sys.stdout.write("THE-LAST-LINE\n")
    sys.stdout.flush()
    pytest.fail("fail so pytest shows the captured output")
