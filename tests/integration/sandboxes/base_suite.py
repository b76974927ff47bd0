"""What every sandbox must do, written once; each sandbox's module subclasses the suite.

A subclass provides a ``sandbox`` fixture, says in class attributes what its sandbox adds
or reports where the kinds legitimately differ, and tells whether anything of a finished
job still runs. Waits are on conditions with a timeout, never on sleeps.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from pathlib import Path

import pytest

from services.runner.sandboxes.base import (
    OUTPUT_CAP_BYTES,
    Failure,
    Limits,
    Sandbox,
    SandboxOutcome,
)
from tests.integration.hostile.payloads import LIAR_PLUGIN
from tests.waiting import wait_until

from .in_child import run_with_secrets
from .support import python_request, run_case, seen_paths

DUMP_ENV = "import json, os; print(json.dumps(dict(os.environ)))"


class SandboxSuite:
    """The contract; not collected itself (its name does not start with ``Test``)."""

    # Variables the process sees beyond the request's, and the values fixed among them.
    added_env: frozenset[str] = frozenset()
    fixed_env: dict[str, str] = {}
    segv_reason = ""
    # (failure, exit code, JUnit) once a test floods memory under a 128 MB limit.
    memory_flood_ends: tuple[Failure | None, int, dict[str, str] | None] = (None, 0, None)
    # (failure, reason) of a run whose sandbox is closed while it runs.
    close_in_flight_ends: tuple[Failure, str] = ("infrastructure", "")

    def still_running(self, sandbox: Sandbox, outputs: Path) -> bool:
        """True while anything the finished job (whose outputs are ``outputs``) started,
        whose pid it left in ``child.pid`` there, still runs."""
        raise NotImplementedError

    def factory(self, sandbox: Sandbox) -> str:
        """An expression that builds a sandbox like ``sandbox`` in another process."""
        raise NotImplementedError

    def skip_unless_another_user(self, sandbox: Sandbox) -> None:
        """Skip, saying why, when the sandbox runs tests as seamq's own user."""

    def test_a_command_runs_and_its_output_comes_back(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        request = python_request(sandbox, tmp_path, "print('hello')")

        outcome = sandbox.run(request)

        assert (outcome.exit_code, outcome.failure, outcome.output) == (0, None, "hello\n")
        assert 0 < outcome.start_s < 10

    def test_the_command_runs_in_the_workspace(self, sandbox: Sandbox, tmp_path: Path) -> None:
        request = python_request(sandbox, tmp_path, "import os; print(os.getcwd())")
        workspace = seen_paths(sandbox, tmp_path).workspace

        outcome = sandbox.run(request)

        assert outcome.output == f"{os.path.realpath(workspace)}\n"

    def test_exit_codes_pass_through_unjudged(self, sandbox: Sandbox, tmp_path: Path) -> None:
        outcome = sandbox.run(python_request(sandbox, tmp_path, "raise SystemExit(5)"))

        assert (outcome.exit_code, outcome.failure) == (5, None)

    def test_death_by_signal_is_a_crash(self, sandbox: Sandbox, tmp_path: Path) -> None:
        kill_self = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"

        outcome = sandbox.run(python_request(sandbox, tmp_path, kill_self))

        assert (outcome.failure, outcome.reason) == ("crash", self.segv_reason)

    def test_the_environment_is_the_requests_plus_the_sandboxs_base(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        outcome = sandbox.run(python_request(sandbox, tmp_path, DUMP_ENV, env={"A": "1"}))

        env = json.loads(outcome.output)
        assert set(env) == {"A"} | self.added_env
        assert env["A"] == "1"
        assert {k: env[k] for k in self.fixed_env} == self.fixed_env

    def test_the_runners_secrets_do_not_reach_the_process(
        self, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("SEAMQ_RUNNER_SECRET", f"seamq-secret-{secrets.token_hex(8)}")

        outcome = sandbox.run(python_request(sandbox, tmp_path, DUMP_ENV))

        env = json.loads(outcome.output)
        assert "SEAMQ_RUNNER_SECRET" not in env
        assert not [k for k, v in env.items() if "seamq-secret-" in v]

    def test_a_private_workspace_is_readable_by_the_process(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        request = python_request(sandbox, tmp_path, "print(open('secret.txt').read())")
        (request.workspace / "secret.txt").write_text("readable")
        (request.workspace / "secret.txt").chmod(0o600)
        request.workspace.chmod(0o700)

        outcome = sandbox.run(request)

        assert (outcome.exit_code, outcome.output) == (0, "readable\n")

    def test_files_written_to_outputs_reach_the_host(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        result_file = f"{seen_paths(sandbox, tmp_path).outputs}/result.txt"
        request = python_request(sandbox, tmp_path, f"open({result_file!r}, 'w').write('written')")

        outcome = sandbox.run(request)

        assert (outcome.exit_code, outcome.failure) == (0, None)
        assert (request.outputs / "result.txt").read_text() == "written"

    def test_concurrent_requests_each_get_their_own_process(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        requests = [python_request(sandbox, tmp_path / str(i), f"print({i})",
                                   name=f"parallel-{tmp_path.name}-{i}") for i in range(4)]
        results: dict[int, SandboxOutcome] = {}
        workers = [threading.Thread(target=lambda i=i: results.__setitem__(
            i, sandbox.run(requests[i]))) for i in range(4)]

        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

        assert {i: (r.exit_code, r.output) for i, r in results.items()} == {
            i: (0, f"{i}\n") for i in range(4)}

    def test_a_runaway_loop_is_killed_at_the_deadline(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        run = run_case(sandbox, tmp_path, "runaway_loop", timeout_s=3)

        assert run.outcome.failure == "timeout"
        assert run.outcome.reason == "timed out after 3 s"
        assert run.outcome.exit_code is None
        assert 3 <= run.outcome.duration_s < 8

    def test_output_flood_is_capped_to_its_tail(self, sandbox: Sandbox, tmp_path: Path) -> None:
        run = run_case(sandbox, tmp_path, "output_flood")

        assert run.outcome.exit_code == 1
        assert run.outcome.output.startswith("[... ")
        assert len(run.outcome.output.encode()) <= OUTPUT_CAP_BYTES + 100
        assert "THE-LAST-LINE" in run.outcome.output

    def test_patched_reports_reach_the_runner_as_plain_passes(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        """The sandbox cannot see this lie: the audit's verdict-tampering rule must refuse it."""
        run = run_case(sandbox, tmp_path, LIAR_PLUGIN)

        assert run.outcome.failure is None
        assert run.outcome.exit_code == 0
        assert run.junit == {"test_a_installs_the_liar": "passed", "test_b_really_fails": "passed"}

    def test_early_interpreter_exit_leaves_exit_zero_and_no_junit(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        """Exit 0 without a JUnit report: the verdict code must treat it as an error."""
        run = run_case(sandbox, tmp_path, "early_exit")

        assert run.outcome.failure is None
        assert run.outcome.exit_code == 0
        assert run.junit is None
        assert "passed" not in run.outcome.output

    def test_a_memory_flood_is_stopped_at_the_memory_limit(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        run = run_case(sandbox, tmp_path, "memory_flood", limits=Limits(memory_mb=128))

        assert (run.outcome.failure, run.outcome.exit_code, run.junit) == self.memory_flood_ends

    def test_nothing_the_job_started_outlives_it(self, sandbox: Sandbox, tmp_path: Path) -> None:
        pid_file = f"{seen_paths(sandbox, tmp_path).outputs}/child.pid"
        spawn = ("import subprocess, sys\n"
                 "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
                 f"open({pid_file!r}, 'w').write(str(child.pid))\n")
        request = python_request(sandbox, tmp_path, spawn)

        outcome = sandbox.run(request)

        assert (outcome.exit_code, outcome.failure) == (0, None)
        wait_until(lambda: not self.still_running(sandbox, request.outputs), timeout=10,
                   what="the end of everything the job started")

    @pytest.mark.parametrize("hold", [False, True], ids=["at-exit", "at-the-deadline"])
    def test_a_setsid_daemon_is_gone_when_the_job_returns(
        self, sandbox: Sandbox, tmp_path: Path, hold: bool
    ) -> None:
        pid_file = f"{seen_paths(sandbox, tmp_path).outputs}/child.pid"
        env = {"DAEMON_PID_FILE": pid_file, **({"DAEMON_HOLD": "1"} if hold else {})}

        run = run_case(sandbox, tmp_path, "setsid_daemon", timeout_s=10 if hold else 60,
                       env=env)
        returned = time.time()

        assert run.outcome.failure == ("timeout" if hold else None), run.outcome.output
        assert hold or run.all_passed(), run.outcome.output
        wait_until(lambda: not self.still_running(sandbox, run.outputs), timeout=5,
                   what="the end of the daemon the job left")
        alive = run.outputs / "child.pid.alive"  # written 2 s after the daemon started
        assert not alive.exists() or alive.stat().st_mtime <= returned

    def test_the_runners_environment_cannot_be_read_up_the_parent_chain(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        self.skip_unless_another_user(sandbox)

        result = run_with_secrets(self.factory(sandbox), tmp_path, "parent_environ")

        assert result["junit"] == {"test_no_ancestor_environment_carries_a_secret": "passed",
                                   "test_the_parent_is_not_the_one_holding_the_secret":
                                   "passed"}, result["output"]

    def test_the_tests_do_not_run_as_root(self, sandbox: Sandbox, tmp_path: Path) -> None:
        self.skip_unless_another_user(sandbox)

        run = run_case(sandbox, tmp_path, "not_root")

        assert run.junit == {"test_not_root": "passed"}, run.outcome.output

    def test_closing_the_sandbox_stops_a_run_in_flight(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        started = f"{seen_paths(sandbox, tmp_path).outputs}/started"
        hold = f"import time; open({started!r}, 'w').close(); time.sleep(60)"
        request = python_request(sandbox, tmp_path, hold, name=f"interrupted-{tmp_path.name}")
        result: list[SandboxOutcome] = []
        worker = threading.Thread(target=lambda: result.append(sandbox.run(request)))
        worker.start()
        wait_until((request.outputs / "started").exists, timeout=20, what="the job's start")

        sandbox.close()
        worker.join(timeout=20)

        assert not worker.is_alive()
        assert (result[0].failure, result[0].reason) == self.close_in_flight_ends
