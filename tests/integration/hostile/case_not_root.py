"""Checks who the tests run as: passes only if neither the real, effective nor saved uid or
gid is root and no supplementary group is root's."""

import os


def test_not_root():
    assert 0 not in os.getresuid()
    assert 0 not in os.getresgid()
    assert 0 not in os.getgroups()
