"""Run a hostile case from a separate runner process whose own environment, from its start,
holds secrets: what ``/proc/<pid>/environ`` shows is the environment a process started
with, so a secret set later with ``monkeypatch`` would prove nothing.

``python -m tests.integration.sandboxes.in_child FACTORY TMP CASE`` builds the sandbox from
the expression FACTORY, runs CASE under ``TMP`` and prints its JUnit and outcome as JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from .support import run_case

REPO = Path(__file__).resolve().parents[3]


def run_with_secrets(factory: str, tmp_path: Path, case: str) -> dict[str, Any]:
    """Run ``case`` in a sandbox built by ``factory`` in a runner process started with
    seamq's secrets (a broker URL with a password, an LLM key) in its environment."""
    secret = f"seamq-secret-{secrets.token_hex(8)}"
    env = {**os.environ, "SEAMQ_LLM_API_KEY": secret,
           "SEAMQ_BROKER_URL": f"amqp://seamq:{secret}@localhost:5672/"}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.integration.sandboxes.in_child", factory, str(tmp_path),
         case], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return result


def _main(factory: str, tmp: str, case: str) -> None:
    from services.runner.sandboxes.docker import DockerSandbox  # noqa: F401 - for FACTORY
    from services.runner.sandboxes.local import LocalSandbox  # noqa: F401 - for FACTORY

    sandbox = eval(factory)
    try:
        run = run_case(sandbox, Path(tmp), case)
    finally:
        sandbox.close()
    print(json.dumps({"junit": run.junit, "exit_code": run.outcome.exit_code,
                      "failure": run.outcome.failure, "output": run.outcome.output}))


if __name__ == "__main__":
    _main(*sys.argv[1:4])
