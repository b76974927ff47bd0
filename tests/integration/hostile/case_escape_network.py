"""Tries to reach a service on the host's loopback: passes only if the network is open."""

import os
import socket


def test_reaches_a_host_service():
    socket.create_connection(("127.0.0.1", int(os.environ["HOST_PORT"])), timeout=2)
