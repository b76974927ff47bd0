"""Test-suite wiring: under pytest-xdist, tests that share one engine's state run in order.

Docker tests count and reap containers by label, and the fleet tests start services on the
one RabbitMQ: each family goes to one worker (``--dist loadgroup``), everything else spreads.
"""

from __future__ import annotations

import pytest

GROUPS = (("docker", "docker"), ("rabbitmq", "rabbitmq"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        group = next((name for marker, name in GROUPS if item.get_closest_marker(marker)), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
