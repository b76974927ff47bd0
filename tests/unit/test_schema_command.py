"""``seamq schema``: published JSON Schemas carry a dialect and an id; the AsyncAPI server
comes from the broker URL."""

from __future__ import annotations

import jsonschema

from services.cli.commands.schema import SCHEMA_DIALECT, published_schemas
from shared.asyncapi import broker_server


def test_every_published_schema_names_its_dialect_and_a_unique_id() -> None:
    schemas = published_schemas()

    ids = [schema["$id"] for schema in schemas.values()]  # type: ignore[index]

    assert all(schema["$schema"] == SCHEMA_DIALECT for schema in schemas.values())  # type: ignore[index]
    assert len(set(ids)) == len(ids)


def test_a_published_schema_is_valid_under_its_dialect() -> None:
    schema = published_schemas()["RunRequest"]

    jsonschema.Draft202012Validator.check_schema(schema)  # type: ignore[arg-type]


def test_the_server_takes_host_port_and_vhost_from_the_url_but_no_credentials() -> None:
    server = broker_server("amqp://user:pw@rabbit.internal:5673/ci%2Ffleet")

    assert server["host"] == "rabbit.internal:5673"
    assert server["pathname"] == "/ci/fleet"
    assert "pw" not in str(server)


def test_the_memory_broker_describes_the_default_server() -> None:
    assert broker_server("memory") == broker_server("amqp://localhost:5672/")
