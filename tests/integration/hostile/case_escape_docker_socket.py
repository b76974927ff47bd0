"""Looks for the Docker engine's socket: passes only if the engine is reachable."""

import os


def test_finds_the_docker_socket():
    assert os.path.exists("/var/run/docker.sock")
