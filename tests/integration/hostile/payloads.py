"""The hostile corpus in one place: each ``case_<name>.py`` beside this module is a pytest
module that tries to escape a sandbox, exhaust it or forge its verdict. Every test that
runs hostile code takes it from here by name."""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).parent

# Pass only while the sandbox holds (some read what to probe from the environment:
# HOST_PORT, HOST_ADDRS, FSIZE_BYTES, PIDS_LIMIT, VISIBLE_TO_TESTS).
PROBES = ("network", "write_outside", "docker_socket", "identity", "environment",
          "fork_flood", "parent_environ", "not_root")
# Pass only if they get out, so that end to end a pass can only mean a breach.
ESCAPES = ("escape_network", "escape_write_outside", "escape_docker_socket", "escape_root",
           "escape_secrets")
# Processes, memory, time and output without bound.
EXHAUSTION = ("fork_bomb", "fork_flood_unhandled", "memory_flood", "runaway_loop",
              "output_flood")
# Outlive the job: whatever they leave must be dead when the job returns (DAEMON_PID_FILE).
SURVIVORS = ("setsid_daemon",)
# Turn a failure, or no result at all, into a pass; the runner's verdict must refuse them.
FORGERIES = ("patch_report_factory", "hook_in_module", "early_exit", "exit_at_import",
             "runtest_patched", "hook_via_gc", "forged_records")
# Leave records that block, never end or are too big to read: the job must end `error`.
EVIDENCE_BOMBS = ("record_fifo", "record_dev_zero", "record_huge", "outputs_flood")
# A plugin registered from a test: invisible to any sandbox, refused by the audit.
LIAR_PLUGIN = "patch_reports"


def source(case: str) -> str:
    """The text of the hostile case ``case`` (``case_<case>.py``)."""
    return (CORPUS / f"case_{case}.py").read_text()


def install(case: str, path: Path) -> Path:
    """Write the hostile case to ``path`` (a test file in a workspace) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source(case))
    return path
