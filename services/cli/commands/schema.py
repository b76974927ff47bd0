"""``seamq schema``: JSON Schemas of the contract, or the AsyncAPI 3 document."""

from __future__ import annotations

import argparse
import json

from shared.contract import SCHEMA_VERSION, json_schemas
from shared.settings import Settings

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID_BASE = "urn:seamq:schema"


def published_schemas() -> dict[str, object]:
    """Each model's JSON Schema with its dialect (``$schema``) and a versioned ``$id``."""
    major = SCHEMA_VERSION.split(".")[0]
    return {name: {"$schema": SCHEMA_DIALECT, "$id": f"{SCHEMA_ID_BASE}:v{major}:{name}",
                   **schema}
            for name, schema in json_schemas().items()}


def schema_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print the contract's JSON Schemas, or with ``--asyncapi`` the AsyncAPI document for
    this fleet's broker prefix and broker URL (``SEAMQ_BROKER_PREFIX``, ``SEAMQ_BROKER_URL``)."""
    if args.asyncapi:
        from shared.asyncapi import asyncapi_document

        document = asyncapi_document(settings.broker_prefix,
                                     settings.broker_url.get_secret_value())
        print(json.dumps(document, indent=2))
    else:
        print(json.dumps(published_schemas(), indent=2))
    return 0
