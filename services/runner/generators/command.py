"""``--generator command:PATH_OR_CMD``: a trusted program (an AI agent CLI, a script).

It runs on the runner host with the job's workspace as its working directory, the brief
on stdin and the ``SEAMQ_*`` variables below; exit status 0 means it wrote its file.
A target without spaces is executed directly (relative paths resolve against the
workspace); one with spaces is a shell command line run with ``/bin/sh -c``.

Variables: ``SEAMQ_OUTPUT_FILE`` (absolute path to write), ``SEAMQ_ATTEMPT`` (1-based),
``SEAMQ_FEEDBACK_FILE`` (from attempt 2 on), ``SEAMQ_PROJECT_DIR``, ``SEAMQ_SEAM_ID`` and
``SEAMQ_BRIEF_FILE`` (the brief again, for programs that take a prompt file).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from services.runner.generators.base import (
    GenerationOutcome,
    Generator,
    changed_files,
    describe_paths,
    misplaced,
    output_rel,
    read_output,
    snapshot,
    tail,
)
from shared.contract import SeamJob

STDERR_TAIL_CHARS = 2_000
KILL_GRACE_S = 2.0
# The runner's own configuration (broker URL with credentials and so on) stays with the
# runner; only the LLM endpoint settings are useful to a generator script.
PASSED_SEAMQ_VARS = frozenset({"SEAMQ_LLM_BASE_URL", "SEAMQ_LLM_API_KEY"})


class CommandGenerator(Generator):
    """Runs ``target`` once per attempt and judges what it left in the workspace."""

    kind = "command"

    def __init__(self, target: str) -> None:
        self.target = target

    def argv(self) -> list[str]:
        """How the target is executed: directly, or through the shell when it has spaces."""
        if any(ch.isspace() for ch in self.target.strip()):
            return ["/bin/sh", "-c", self.target]
        return [self.target]

    def generate(
        self, job: SeamJob, workspace: Path, output_path: Path, brief: str
    ) -> GenerationOutcome:
        rel = output_rel(workspace, output_path)
        if rel is None:
            return misplaced(output_path)
        output_path.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="seamq-gen-"))
        try:
            env = self._environment(job, workspace, output_path, brief, scratch)
            before = snapshot(workspace)
            started = time.monotonic()
            outcome = self._run(job, workspace, brief, env)
            duration = time.monotonic() - started
            if outcome.reason:
                return replace(outcome, duration_s=duration)
            after = snapshot(workspace)
            outside = changed_files(before, after, allowed=rel)
            content, problem = read_output(output_path, rel)
            if outside:
                problem = f"wrote outside its output file: {describe_paths(outside)}"
            elif content is not None and before.get(rel) == after.get(rel):
                content, problem = None, f"wrote nothing to {rel} (left it unchanged)"
            return GenerationOutcome(
                ok=not problem, content=content, reason=problem,
                log_tail=outcome.log_tail, duration_s=duration,
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _environment(
        self, job: SeamJob, workspace: Path, output_path: Path, brief: str, scratch: Path
    ) -> dict[str, str]:
        env = {
            key: value for key, value in os.environ.items()
            if not key.startswith("SEAMQ_") or key in PASSED_SEAMQ_VARS
        }
        brief_file = scratch / "brief.md"
        brief_file.write_text(brief, encoding="utf-8")
        env.update(
            SEAMQ_OUTPUT_FILE=str(output_path.resolve()),
            SEAMQ_ATTEMPT=str(job.attempt),
            SEAMQ_PROJECT_DIR=str(workspace.resolve()),
            SEAMQ_SEAM_ID=job.seam.id,
            SEAMQ_BRIEF_FILE=str(brief_file),
        )
        if job.attempt > 1:
            feedback_file = scratch / "feedback.md"
            feedback_file.write_text(job.feedback, encoding="utf-8")
            env["SEAMQ_FEEDBACK_FILE"] = str(feedback_file)
        return env

    def _run(
        self, job: SeamJob, workspace: Path, brief: str, env: dict[str, str]
    ) -> GenerationOutcome:
        """Run the target to completion or timeout; ``reason`` is set only for failures."""
        timeout = job.generator.timeout_s
        try:
            proc = subprocess.Popen(
                self.argv(), cwd=workspace, env=env, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            )
        except OSError as e:
            return GenerationOutcome(False, None, f"generator could not start: {e}")
        timed_out = False
        try:
            out, err = proc.communicate(brief.encode(), timeout=timeout)
        except subprocess.TimeoutExpired:
            # The target may have exited while a background child still holds its pipes.
            timed_out = proc.poll() is None
            out, err = _stop_group(proc)
        finally:
            _kill_group(proc.pid, signal.SIGKILL)
        stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
        log = tail(f"{stdout}\n{stderr}")
        if timed_out:
            return GenerationOutcome(False, None, f"timed out after {timeout:g} s", log_tail=log)
        if proc.returncode != 0:
            reason = f"generator exited {proc.returncode}"
            if stderr.strip():
                reason += f": {tail(stderr, STDERR_TAIL_CHARS)}"
            return GenerationOutcome(False, None, reason, log_tail=log)
        return GenerationOutcome(True, None, log_tail=log)


def _kill_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _stop_group(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """TERM the process group, then KILL it after a grace period; collect what it printed."""
    _kill_group(proc.pid, signal.SIGTERM)
    try:
        return proc.communicate(timeout=KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid, signal.SIGKILL)
    try:
        return proc.communicate(timeout=KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        # A descendant left the group and still holds the pipes; stop reading.
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        proc.wait()
        return b"", b""

