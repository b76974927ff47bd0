"""``seamq schema``: JSON Schemas of the contract, or the AsyncAPI 3 document."""

from __future__ import annotations

import argparse
import json

from shared.contract import json_schemas
from shared.settings import Settings


def schema_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print the contract's JSON Schemas, or with ``--asyncapi`` the AsyncAPI document."""
    if args.asyncapi:
        from shared.asyncapi import asyncapi_document

        print(json.dumps(asyncapi_document(), indent=2))
    else:
        print(json.dumps(json_schemas(), indent=2))
    return 0
