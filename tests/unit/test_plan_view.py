"""``seamq plan`` output: the JSON document of DESIGN.md and the readable listing."""

from __future__ import annotations

import json
from pathlib import Path

from services.cli.plan_view import plan_json, plan_text
from services.coordinator.scheduler import make_batches, select
from shared.contract import Priority
from shared.plan.reader import read_plan

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


def test_plan_json_has_the_documented_shape() -> None:
    """Keys and values as DESIGN.md "seamq plan --format json" specifies."""
    plan = read_plan(CORPUS / "02_sections_by_priority" / "TEST_PLAN.md")
    selected = select(plan, [Priority.P0])
    document = plan_json(plan, selected, make_batches(selected, 3))

    assert json.loads(json.dumps(document)) == document
    assert document["plan"] == "TEST_PLAN.md"
    first = document["seams"][0]
    assert {"id", "title", "priority", "selected", "line", "output_file", "output_source",
            "expected_tests", "depends_on"} <= set(first)
    assert first == {
        "id": "1", "title": "Checkout API → Orders Database", "priority": "P0",
        "selected": True, "line": 7,
        "output_file": "test_checkout_api_orders_database_integration.py",
        "output_source": "convention", "expected_tests": 4, "depends_on": [], "services": [],
        "priority_source": "section", "section": "P0 — Critical seams",
        "output_reason": "no file named or matched: by convention, beside the plan",
        "scope": "`POST /checkout`, `OrderService`, `orders` and `order_lines` tables",
        "impact": "Lost orders are lost revenue.",
        "strategy": "place an order, assert both tables in one transaction.",
        "success_criteria": "order and lines committed atomically.", "risk": "", "notes": "",
    }
    assert [(s["id"], s["priority"], s["selected"]) for s in document["seams"]] == [
        ("1", "P0", True), ("2", "P0", True), ("3", "P1", False), ("4", "P0", True),
        ("5", "P2", False), ("6", "deferred", False), ("7", "deferred", False),
    ]
    assert document["batches"] == [["1", "2", "4"]]
    assert document["warnings"] == []


def test_plan_json_lists_warnings() -> None:
    """Warnings carry their line and message."""
    plan = read_plan(CORPUS / "05_bold_markers" / "TEST_PLAN.md")
    document = plan_json(plan, select(plan), [])
    assert document["warnings"][0] == {"line": 24, "message": "seam 4 has no priority; using P2"}


def test_plan_text_lists_seams_batches_and_warnings() -> None:
    """One row per seam with its priority, selection and how its file was resolved."""
    plan = read_plan(CORPUS / "08_match_existing_files" / "TEST_PLAN.md")
    selected = select(plan, [Priority.P1])
    text = plan_text(plan, selected, make_batches(selected, 3))
    lines = text.splitlines()

    assert lines[0] == "TEST_PLAN.md — Storefront — integration seams"
    assert lines[1] == "8 seams, 4 selected, 2 batches"
    assert lines[3].split() == ["ID", "PRIORITY", "TITLE", "OUTPUT", "FILE"]
    row = next(line for line in lines if "cache-layer-redis" in line)
    assert row.startswith("*")
    assert row.endswith("test_cache_layer.py (existing file: its words match (score 0.34))")
    unselected = next(line for line in lines if " inventory-sync " in line)
    assert unselected.startswith(" ")
    assert unselected.endswith(
        "test_inventory_sync.py (its output file field (line 26), relative to the plan's folder)")
    assert "Batches:" in lines
    assert lines[-2:] == [
        "  1. user-api-database (P1), cache-layer-redis (P1)",
        "  2. payment-gateway-stripe-sandbox (P1), refunds-payment-gateway (P1)",
    ]
    assert "Warnings:" not in lines


def test_plan_text_shows_dependencies_counts_services_and_warnings() -> None:
    """Extra facts follow the output file; warnings are PATH:LINE lines."""
    plan = read_plan(CORPUS / "12_counts_and_warnings" / "TEST_PLAN.md")
    text = plan_text(plan, select(plan), [])

    assert "test_export_csv_object_storage_integration.py (no file named or matched: by " \
           "convention, beside the plan) [3 tests expected; services minio]" in text
    assert "Batches: none (no seam selected)" in text
    assert "  TEST_PLAN.md:16: seam 2: expected test count '4-6' is not a number" in text
    assert text.endswith("\n")


def test_long_titles_are_shortened_in_text(tmp_path: Path) -> None:
    """The title column stays narrow; JSON keeps the full title."""
    title = "A Very Long Seam Title That Goes On → And On → And On Forever"
    path = tmp_path / "TEST_PLAN.md"
    path.write_text(f"## SEAM 1: {title}\n**Priority**: P0\n", encoding="utf-8")
    plan = read_plan(path)

    text = plan_text(plan, plan.seams, [list(plan.seams)])

    assert "A Very Long Seam Title That Goes On → And On → …" in text
    assert title not in text
    assert plan_json(plan, plan.seams, [])["seams"][0]["title"] == title
