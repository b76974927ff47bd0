"""Inside the sandbox only loopback exists: the outside world and host services are unreachable."""

import os
import socket

import pytest


def _host_targets():
    port = int(os.environ["HOST_PORT"])
    return [(addr, port) for addr in os.environ["HOST_ADDRS"].split(",")]


def test_only_the_loopback_interface_exists():
    assert sorted(os.listdir("/sys/class/net")) == ["lo"]


def test_loopback_does_not_reach_the_hosts_loopback_service():
    port = int(os.environ["HOST_PORT"])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


@pytest.mark.parametrize("target", _host_targets())
def test_host_addresses_are_unreachable(target):
    with pytest.raises(OSError, match="unreachable"):
        socket.create_connection(target, timeout=2)


def test_public_addresses_are_unreachable():
    with pytest.raises(OSError, match="unreachable"):
        socket.create_connection(("1.1.1.1", 53), timeout=2)


def test_names_do_not_resolve():
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("deb.debian.org", 443)
