"""A runner killed outright while its job's services run leaves them behind; the next
runner's reaper (run when a docker sandbox is chosen) removes every one of them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import Any

import pytest

from services.runner.sandboxes.reaper import RUNNER_LABEL, reap

from .support import ROOT

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(300)]

RUNNER = """
import sys, time
from services.runner.sandboxes.docker import DockerSandbox
from tests.integration.environments.support import POSTGRES, REDIS
sandbox = DockerSandbox()
with sandbox.services([POSTGRES, REDIS], "it-killed-runner", {}, 600) as session:
    print("up", flush=True)
    time.sleep(600)
"""


def _owned(client: Any, pid: int) -> list[str]:
    label = {"label": f"{RUNNER_LABEL}={socket.gethostname()}/{pid}"}
    return [str(c["Names"][0]) for c in client.api.containers(all=True, filters=label)]


def test_nothing_is_left_after_a_sigkilled_runner_restarts(service_images: Any) -> None:
    runner = subprocess.Popen([sys.executable, "-c", RUNNER], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert runner.stdout is not None
        assert runner.stdout.readline().strip() == "up"
        assert len(_owned(service_images, runner.pid)) == 2
    finally:
        os.kill(runner.pid, signal.SIGKILL)
        runner.wait()
        if runner.stdout is not None:
            runner.stdout.close()

    removed = reap(service_images)

    assert _owned(service_images, runner.pid) == []
    assert len([name for name in removed if "it-killed-runner" in name]) == 2
