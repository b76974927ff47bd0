"""No Docker engine can be reached from inside: no socket file, no variable naming one."""

import os
import stat

import pytest


@pytest.mark.parametrize("path", ["/var/run/docker.sock", "/run/docker.sock",
                                  "/run/containerd/containerd.sock"])
def test_well_known_engine_sockets_are_absent(path):
    assert not os.path.exists(path)


def test_no_unix_socket_anywhere_on_the_filesystem():
    sockets = []
    for top in ("/", ):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames
                           if os.path.join(dirpath, d) not in ("/proc", "/sys")]
            for name in filenames:
                path = os.path.join(dirpath, name)
                try:
                    if stat.S_ISSOCK(os.lstat(path).st_mode):
                        sockets.append(path)
                except OSError:
                    continue
    assert sockets == []


def test_no_variable_points_at_an_engine():
    assert not [k for k in os.environ if k.startswith("DOCKER")]
