"""Walks up the parent chain reading each ancestor's /proc/<pid>/environ: passes only while
no ancestor it can read carries a secret (a value starting 'seamq-secret-')."""

import os


def _parent(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def _readable_environ(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f.read()
    except OSError:
        return b""  # not ours to read: exactly what the sandbox should ensure


def test_no_ancestor_environment_carries_a_secret():
    leaked, pid = [], os.getppid()
    while pid > 0:
        if b"seamq-secret-" in _readable_environ(pid):
            leaked.append(pid)
        try:
            pid = _parent(pid)
        except OSError:
            break
    assert leaked == []


def test_the_parent_is_not_the_one_holding_the_secret():
    assert b"seamq-secret-" not in _readable_environ(os.getppid())
