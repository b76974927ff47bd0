"""Checks for root: passes only if the tests run as root."""

import os


def test_runs_as_root():
    assert os.getuid() == 0
