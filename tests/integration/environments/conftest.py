"""Fixtures for real services and environment images: the images ``deploy/provision.sh
images`` builds (skip on a laptop without them, fail in CI), a docker sandbox whose
containers and networks must all be gone after each test, and cleanup of built images."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.runner.sandboxes.docker import DockerSandbox
from services.runner.sandboxes.reaper import RUNNER_LABEL
from tests.integration.conftest import SANDBOX_IMAGE, _unavailable

SERVICE_IMAGES = ("seamq-postgres:15", "seamq-redis:7", "seamq-sandbox:trixie")


@pytest.fixture(scope="session")
def service_images(docker_client: Any) -> Any:
    """The docker client, once the service and trixie images are known to be present."""
    missing = [i for i in SERVICE_IMAGES if not docker_client.api.images(name=i)]
    if missing:
        _unavailable(f"image(s) {', '.join(missing)} missing; run deploy/provision.sh images")
    return docker_client


def left_over(client: Any, sandbox: DockerSandbox) -> list[str]:
    """Containers (test and service) this sandbox's runner identity still owns."""
    label = {"label": f"{RUNNER_LABEL}={sandbox.identity.runner_id}"}
    return [str(c["Names"][0]) for c in client.api.containers(all=True, filters=label)]


@pytest.fixture
def sandbox(service_images: Any) -> Iterator[DockerSandbox]:
    made = DockerSandbox(service_images, default_image=SANDBOX_IMAGE)
    yield made
    assert left_over(service_images, made) == []


@pytest.fixture
def built_images(service_images: Any) -> Iterator[list[str]]:
    """Tags a test built; removed afterwards (only those: other checkouts share the engine)."""
    tags: list[str] = []
    yield tags
    for tag in tags:
        try:
            service_images.api.remove_image(tag, force=True)
        except Exception:  # noqa: BLE001 - cleanup must not hide the test's own outcome
            continue
