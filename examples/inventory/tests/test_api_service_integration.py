"""SEAM 1: API handler -> InventoryService -> SQLite store.

Scope: request parsing, service calls and the persisted stock level behind them.
Impact: orders are accepted or refused from these answers.
Strategy: drive the real handler against the real store in a temporary folder.
Success criteria: receive and ship change the stored level; bad requests are refused.
"""

from inventory.api import handle


def test_receive_then_get_reports_the_stored_level(service):
    """Receiving stock through the API is visible to a later read and stored in SQLite."""
    status, body = handle(service, {"action": "receive", "sku": "A-1", "quantity": 5})
    assert status == 200
    assert body == {"sku": "A-1", "available": 5}
    assert handle(service, {"action": "get", "sku": "A-1"}) == (200, {"sku": "A-1", "available": 5})
    assert service.store.quantity("A-1") == 5


def test_shipping_more_than_available_is_refused_and_changes_nothing(service):
    """Overselling answers 409 and leaves the stored quantity as it was."""
    handle(service, {"action": "receive", "sku": "B-2", "quantity": 2})
    status, body = handle(service, {"action": "ship", "sku": "B-2", "quantity": 3})
    assert status == 409
    assert "not enough stock" in body["error"]
    assert service.store.quantity("B-2") == 2


def test_request_without_sku_is_a_client_error(service):
    """A request that names no SKU is refused before it reaches the store."""
    assert handle(service, {"action": "get"}) == (400, {"error": "sku is required"})
