"""Messages on the wire: the registry of message types, encode, the one decode, JSON Schema."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from shared.contract.base import MAX_MESSAGE_BYTES, Message
from shared.contract.jobs import AuditJob, RunRequest, SeamJob, ValidationJob
from shared.contract.report import RunEvent, RunReport
from shared.contract.results import AuditReport, JobResult
from shared.errors import DecodeError

MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.__name__: cls
    for cls in (RunRequest, SeamJob, ValidationJob, AuditJob, AuditReport, JobResult, RunEvent,
                RunReport)
}


def encode(message: Message) -> bytes:
    """Serialise a message for the wire (UTF-8 JSON)."""
    return message.model_dump_json().encode()


def decode(message_type: str | None, body: bytes) -> Message:
    """Parse and validate a body as the named message type; any failure is a DecodeError."""
    cls = MESSAGE_TYPES.get(message_type or "")
    if cls is None:
        raise DecodeError(f"unknown message type {message_type!r}")
    if len(body) > MAX_MESSAGE_BYTES:
        raise DecodeError(f"body of {len(body)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DecodeError(f"body is not JSON: {e}") from e
    except RecursionError as e:
        raise DecodeError("body is too deeply nested to decode") from e
    except (MemoryError, ValueError) as e:
        raise DecodeError(f"body cannot be decoded: {type(e).__name__}") from e
    if not isinstance(data, dict):
        raise DecodeError("body is not a JSON object")
    try:
        return cls.model_validate_json(body)
    except (RecursionError, MemoryError) as e:
        raise DecodeError(f"body cannot be validated: {type(e).__name__}") from e
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise DecodeError(
            f"invalid {message_type}: {where}: {first['msg']} ({e.error_count()} error(s))"
        ) from e


def json_schemas() -> dict[str, Any]:
    """JSON Schema of every message type, keyed by model name."""
    return {name: cls.model_json_schema() for name, cls in MESSAGE_TYPES.items()}
