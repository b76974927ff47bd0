"""The process is not root, holds no capability and cannot gain privileges."""

import os

import pytest


def _status():
    with open("/proc/self/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def test_not_root():
    assert os.getuid() != 0
    assert os.geteuid() != 0
    assert os.getgid() != 0


@pytest.mark.parametrize("field", ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"])
def test_no_capability_at_all(field):
    assert int(_status()[field], 16) == 0


def test_no_new_privileges_is_set():
    assert _status()["NoNewPrivs"].strip() == "1"


def test_cannot_become_root():
    with pytest.raises(PermissionError):
        os.setuid(0)


def test_cannot_read_the_shadow_file():
    with pytest.raises(PermissionError):
        open("/etc/shadow").close()
