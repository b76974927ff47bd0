"""Fixtures for integration tests against real engines.

Docker: ``docker_client`` skips when no engine answers or the sandbox image is missing on
a laptop, and fails when ``CI`` is set (CI must run them: ``deploy/provision.sh`` provides
both). ``docker_sandbox`` is a ``DockerSandbox`` that asserts, after each test, that none
of its containers is left behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest

from services.runner.sandboxes.docker import DEFAULT_IMAGE, DockerSandbox
from services.runner.sandboxes.reaper import RUNNER_LABEL
from services.runner.sandboxes.selection import engine_address, probe_engine

SANDBOX_IMAGE = os.environ.get("SEAMQ_SANDBOX_IMAGE", DEFAULT_IMAGE)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so Docker tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """A docker SDK client whose engine answers and holds the sandbox image."""
    client, error = probe_engine()
    if client is None:
        _unavailable(f"no Docker engine answered at {engine_address()} ({error}); "
                     "run deploy/provision.sh docker")
    if not client.api.images(name=SANDBOX_IMAGE):
        client.close()
        _unavailable(f"image {SANDBOX_IMAGE} is missing; run deploy/provision.sh images")
    yield client
    client.close()


def sandbox_containers(client: Any, sandbox: DockerSandbox) -> list[str]:
    """Names of the containers this sandbox's runner identity still owns."""
    label = f"{RUNNER_LABEL}={sandbox.identity.runner_id}"
    found = client.api.containers(all=True, filters={"label": label})
    return [str(c["Names"][0]).lstrip("/") for c in found]


@pytest.fixture
def docker_sandbox(docker_client: Any) -> Iterator[DockerSandbox]:
    """A sandbox on the shared client; no container of it may outlive the test."""
    sandbox = DockerSandbox(docker_client, default_image=SANDBOX_IMAGE)
    yield sandbox
    assert sandbox_containers(docker_client, sandbox) == []
