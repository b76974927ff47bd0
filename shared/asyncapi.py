"""The AsyncAPI 3 document: exchanges, queues and messages, with payloads from the models."""

from __future__ import annotations

from typing import Any

from shared.contract import SCHEMA_VERSION, json_schemas
from shared.topology import (
    AUDITOR_QUEUE,
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_QUEUE,
    DELIVERY_COUNT_HEADER,
    EVENTS_EXCHANGE,
    MAX_PRIORITY,
    REJECT_REASON_HEADER,
    RESULTS_QUEUE,
    RUNNER_QUEUE,
    SUBMISSIONS_QUEUE,
    WORK_EXCHANGE,
)


def _queue_channel(queue: str, messages: list[str], description: str,
                   priority: bool = False) -> dict[str, Any]:
    arguments: dict[str, Any] = {"x-dead-letter-exchange": DEAD_LETTER_EXCHANGE}
    if priority:
        arguments["x-max-priority"] = MAX_PRIORITY
    return {
        "address": queue,
        "description": description,
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
        "bindings": {"amqp": {
            "is": "routingKey",
            "exchange": {"name": WORK_EXCHANGE, "type": "direct", "durable": True,
                         "autoDelete": False, "vhost": "/"},
            "queue": {"name": queue, "durable": True, "exclusive": False, "autoDelete": False,
                      "vhost": "/"},
            "x-arguments": arguments,
            "bindingVersion": "0.3.0",
        }},
    }


def asyncapi_document() -> dict[str, Any]:
    """Describe seamq's topology for other tools (submitters, subscribers)."""
    schemas = json_schemas()
    channels = {
        "submissions": _queue_channel(SUBMISSIONS_QUEUE, ["RunRequest"],
                                      "Submit a run: publish a RunRequest."),
        "runnerJobs": _queue_channel(RUNNER_QUEUE, ["SeamJob", "ValidationJob"],
                                     "Runner work; P0 jobs carry priority 9, P3 priority 6.",
                                     priority=True),
        "auditorJobs": _queue_channel(AUDITOR_QUEUE, ["AuditJob"], "Auditor work."),
        "results": _queue_channel(RESULTS_QUEUE, ["JobResult", "AuditReport"],
                                  "Results consumed by the coordinator."),
        "events": {
            "address": "run.{run_id}.{event}",
            "description": "Run events on a topic exchange; bind e.g. run.<run_id>.# or "
                           "run.*.finished.",
            "parameters": {"run_id": {"description": "the run's id"},
                           "event": {"enum": ["accepted", "seam", "batch", "suite",
                                              "finished", "rejected"]}},
            "messages": {"RunEvent": {"$ref": "#/components/messages/RunEvent"}},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {
                "name": EVENTS_EXCHANGE, "type": "topic", "durable": True,
                "autoDelete": False, "vhost": "/"}, "bindingVersion": "0.3.0"}},
        },
        "deadLetters": {
            "address": DEAD_LETTER_QUEUE,
            "description": f"Rejected messages, with the reason in the {REJECT_REASON_HEADER} "
                           "header.",
            "bindings": {"amqp": {"is": "queue", "queue": {
                "name": DEAD_LETTER_QUEUE, "durable": True, "exclusive": False,
                "autoDelete": False, "vhost": "/"}, "bindingVersion": "0.3.0"}},
        },
    }
    messages = _messages(schemas)
    operations = _operations()
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "seamq", "version": SCHEMA_VERSION,
                 "description": "Messages carry schema_version MAJOR.MINOR; unknown fields are "
                                "ignored within a major version, another major is rejected. "
                                "AMQP properties: content_type application/json, type = model "
                                "name, message_id, correlation_id = run_id, persistent."},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _flatten(schemas)},
    }


def _flatten(schemas: dict[str, Any]) -> dict[str, Any]:
    """Hoist each model's $defs into components/schemas and point $refs there."""
    out: dict[str, Any] = {}
    for name, schema in schemas.items():
        schema = dict(schema)
        for key, value in schema.pop("$defs", {}).items():
            out[key] = value
        out[name] = schema
    rewritten: dict[str, Any] = _rewrite(out)
    return rewritten


def _rewrite(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref"
                    and isinstance(v, str) else _rewrite(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    return node


def _messages(schemas: dict[str, Any]) -> dict[str, Any]:
    """One AsyncAPI message per contract model."""
    return {
        name: {
            "name": name,
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{name}"},
            "headers": {"type": "object", "properties": {
                DELIVERY_COUNT_HEADER: {"type": "integer", "minimum": 1}}},
            "bindings": {"amqp": {"messageType": name, "deliveryMode": 2,
                                  "bindingVersion": "0.3.0"}},
        }
        for name in schemas
    }


def _operations() -> dict[str, Any]:
    """What submitters, subscribers and the services do on each channel."""
    return {
        "submitRun": {"action": "send", "channel": {"$ref": "#/channels/submissions"}},
        "receiveEvents": {"action": "receive", "channel": {"$ref": "#/channels/events"}},
        "consumeRunnerJobs": {"action": "receive",
                              "channel": {"$ref": "#/channels/runnerJobs"}},
        "consumeAuditorJobs": {"action": "receive",
                               "channel": {"$ref": "#/channels/auditorJobs"}},
        "consumeResults": {"action": "receive", "channel": {"$ref": "#/channels/results"}},
    }
