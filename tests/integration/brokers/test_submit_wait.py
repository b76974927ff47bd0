"""``seamq submit --wait`` with no coordinator: it says what it waits for and gives up in
time, instead of hanging silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.brokers.amqp import AmqpBroker
from tests.e2e.project import REPO, Project

pytestmark = pytest.mark.rabbitmq


def test_submit_wait_with_no_coordinator_gives_up_and_says_why(
    amqp_broker: AmqpBroker, amqp_url: str, amqp_prefix: str, tmp_path: Path
) -> None:
    project = Project(tmp_path / "project")
    project.write("tests/test_one_integration.py", "def test_one():\n    assert True\n")
    plan = project.plan(("1", "P0", "test_one_integration.py"))
    env = {**os.environ, "SEAMQ_BROKER_PREFIX": amqp_prefix}

    proc = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "submit", str(plan), "--wait",
         "--wait-timeout", "3", "--broker", amqp_url, "--out", str(tmp_path / "out")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )

    assert proc.returncode == 3, proc.stderr
    assert "waiting for a coordinator to accept it" in proc.stderr
    assert "no coordinator accepted run" in proc.stderr
    assert "Traceback" not in proc.stderr
