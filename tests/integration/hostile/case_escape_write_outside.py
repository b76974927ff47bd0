"""Tries to write into the system's files: passes only if the root is writable."""

from pathlib import Path


def test_writes_into_the_system():
    Path("/etc/seamq-pwned").write_text("x")
    assert Path("/etc/seamq-pwned").exists()
