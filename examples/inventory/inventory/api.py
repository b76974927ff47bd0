"""A tiny request handler in front of the service: dict in, (status, dict) out."""

from __future__ import annotations

from typing import Any

from inventory.service import InventoryService


def handle(service: InventoryService, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    action, sku = request.get("action"), request.get("sku")
    if not isinstance(sku, str) or not sku:
        return 400, {"error": "sku is required"}
    try:
        if action == "get":
            return 200, {"sku": sku, "available": service.available(sku)}
        if action in ("receive", "ship"):
            quantity = int(request.get("quantity", 0))
            level = getattr(service, action)(sku, quantity)
            return 200, {"sku": sku, "available": level}
    except ValueError as e:
        return 409, {"error": str(e)}
    return 400, {"error": f"unknown action {action!r}"}
