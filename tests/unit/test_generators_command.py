"""The command generator against scripted stand-in agents (tests/fixtures/agents)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.runner.generators.command import CommandGenerator
from shared.contract import ExecutionSpec, GeneratorSpec, Priority, ProjectSource, Seam, SeamJob

AGENTS = Path(__file__).resolve().parents[1] / "fixtures" / "agents"
OUTPUT = "tests/test_cart_integration.py"


def make_job(attempt: int = 1, feedback: str = "", timeout_s: float = 30.0) -> SeamJob:
    seam = Seam(
        id="cart", title="Cart → Pricing", line=12, priority=Priority.P0,
        scope="Cart service calls the pricing engine", output_file=OUTPUT,
    )
    return SeamJob(
        job_id="job-1", run_id="run-1", seam=seam, phase="generate", attempt=attempt,
        project=ProjectSource(path="."), plan_path="TEST_PLAN.md", execution=ExecutionSpec(),
        generator=GeneratorSpec(kind="command", target="agent", timeout_s=timeout_s),
        feedback=feedback,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "app.py").write_text("DISCOUNT = 1.0\n")
    (project / "tests" / "conftest.py").write_text("import pytest\n")
    return project


@pytest.fixture
def agent(tmp_path: Path) -> object:
    """A stand-in agent's path, copied out of the repository and made executable."""
    directory = tmp_path / "agents"
    directory.mkdir()

    def path(name: str) -> str:
        copy = directory / name
        shutil.copyfile(AGENTS / name, copy)
        os.chmod(copy, 0o755)
        return str(copy)

    return path


def generate(target: str, workspace: Path, job: SeamJob | None = None, brief: str = "# Brief"):
    job = job or make_job()
    return CommandGenerator(target).generate(job, workspace, workspace / OUTPUT, brief)


def run_pytest(workspace: Path) -> int:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", OUTPUT],
        cwd=workspace, capture_output=True, check=False, timeout=60,
    ).returncode


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_first_attempt_fails_and_second_attempt_uses_the_feedback(workspace: Path, agent) -> None:
    """Given an agent that learns from feedback, attempt 2 sees it and writes a passing test."""
    first = generate(agent("fix_with_feedback.py"), workspace, brief="# Brief for cart\nmore")
    assert first.ok, first.reason
    assert first.content is not None
    assert "# seam: cart" in first.content
    assert "# brief: # Brief for cart" in first.content
    assert run_pytest(workspace) == 1

    feedback = "test_total_is_computed failed: assert 2 == 3"
    second = generate(agent("fix_with_feedback.py"), workspace, make_job(2, feedback))

    assert second.ok, second.reason
    assert second.content is not None
    assert f"# feedback: {feedback}" in second.content
    assert run_pytest(workspace) == 0


def test_an_agent_that_breaks_the_policy_still_produces_its_file(workspace: Path, agent) -> None:
    """Policy is the auditor's call: the generator reports the file it was given."""
    outcome = generate(agent("breaks_policy.py"), workspace)

    assert outcome.ok
    assert outcome.content is not None
    assert "from unittest import mock" in outcome.content


def test_a_hanging_agent_times_out_and_its_process_group_is_killed(
    workspace: Path, agent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a timeout of 2 s, the shell, the agent and the agent's child are all gone."""
    pid_file = tmp_path / "pids"
    monkeypatch.setenv("AGENT_PID_FILE", str(pid_file))

    outcome = generate(f"{sys.executable} {agent('hangs.py')}", workspace, make_job(timeout_s=2))

    assert not outcome.ok
    assert outcome.reason == "timed out after 2 s"
    assert outcome.duration_s < 10
    pids = [int(pid) for pid in pid_file.read_text().split()]
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in pids)


def test_an_agent_that_writes_outside_its_file_fails(workspace: Path, agent) -> None:
    outcome = generate(agent("writes_outside.py"), workspace)

    assert not outcome.ok
    assert outcome.reason == "wrote outside its output file: app.py, conftest.py"


def test_an_agent_that_writes_nothing_fails_with_the_output_path(workspace: Path, agent) -> None:
    outcome = generate(agent("writes_nothing.py"), workspace)

    assert not outcome.ok
    assert outcome.reason == f"wrote nothing to {OUTPUT}"
    assert "All done!" in outcome.log_tail


def test_leaving_an_existing_file_untouched_counts_as_writing_nothing(
    workspace: Path, agent
) -> None:
    (workspace / OUTPUT).write_text("def test_old():\n    assert True\n")

    outcome = generate(agent("writes_nothing.py"), workspace)

    assert outcome.reason == f"wrote nothing to {OUTPUT} (left it unchanged)"


def test_a_failing_agent_reports_its_exit_status_and_stderr(workspace: Path, agent) -> None:
    outcome = generate(agent("fails.py"), workspace)

    assert not outcome.ok
    assert outcome.reason == "generator exited 3: agent error: model quota exhausted"
    assert "thinking about the seam" in outcome.log_tail


def test_a_program_that_does_not_exist_fails_to_start(workspace: Path, tmp_path: Path) -> None:
    outcome = generate(str(tmp_path / "no-such-agent"), workspace)

    assert not outcome.ok
    assert outcome.reason.startswith("generator could not start:")


def test_a_relative_program_path_resolves_against_the_workspace(workspace: Path) -> None:
    shutil.copyfile(AGENTS / "breaks_policy.py", workspace / "write_tests.py")
    os.chmod(workspace / "write_tests.py", 0o755)

    outcome = generate("./write_tests.py", workspace)

    assert outcome.ok, outcome.reason


def test_a_command_line_with_spaces_runs_through_the_shell(workspace: Path, agent) -> None:
    outcome = generate(f"{sys.executable} {agent('breaks_policy.py')}", workspace)

    assert outcome.ok, outcome.reason


def test_the_agent_gets_the_seamq_variables_and_not_the_runner_config(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner's environment passes through, minus its own SEAMQ_ settings."""
    monkeypatch.setenv("AGENT_API_TOKEN", "agent-token")
    monkeypatch.setenv("SEAMQ_BROKER", "amqp://user:secret@broker")
    job = make_job(attempt=2, feedback="fix the total")

    outcome = generate('env > "$SEAMQ_OUTPUT_FILE"', workspace, job)

    assert outcome.content is not None
    env = dict(line.split("=", 1) for line in outcome.content.splitlines() if "=" in line)
    assert env["AGENT_API_TOKEN"] == "agent-token"
    assert "SEAMQ_BROKER" not in env
    assert env["SEAMQ_OUTPUT_FILE"] == str((workspace / OUTPUT).resolve())
    assert env["SEAMQ_PROJECT_DIR"] == str(workspace.resolve())
    assert env["SEAMQ_ATTEMPT"] == "2"
    assert env["SEAMQ_SEAM_ID"] == "cart"
    feedback_file = Path(env["SEAMQ_FEEDBACK_FILE"])
    assert workspace.resolve() not in feedback_file.parents
    assert not feedback_file.exists()


def test_no_feedback_file_on_the_first_attempt(workspace: Path) -> None:
    outcome = generate('env > "$SEAMQ_OUTPUT_FILE"', workspace)

    assert outcome.content is not None
    assert "SEAMQ_FEEDBACK_FILE=" not in outcome.content
    assert "SEAMQ_ATTEMPT=1" in outcome.content


def test_caches_written_while_generating_are_not_outside_writes(workspace: Path) -> None:
    script = (
        "mkdir -p __pycache__ .pytest_cache && touch __pycache__/app.pyc .pytest_cache/x "
        '&& printf "def test_x():\\n    assert 1\\n" > "$SEAMQ_OUTPUT_FILE"'
    )
    outcome = generate(script, workspace)

    assert outcome.ok, outcome.reason
