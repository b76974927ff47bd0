"""Reads the runner's secret: passes only if the runner's environment leaked in."""

import os


def test_reads_the_runners_secret():
    assert os.environ.get("SEAMQ_E2E_SECRET") == "hunter2"
