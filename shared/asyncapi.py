"""The AsyncAPI 3 document: exchanges, queues and messages, with payloads from the models.

Names follow the broker prefix (``SEAMQ_BROKER_PREFIX``) and the server comes from the broker
URL (host, port and vhost; never the credentials), so the document describes the fleet it is
printed for. Bindings follow the AMQP bindings 0.3.0: queues are ``is: queue`` channels,
the events exchange an ``is: routingKey`` channel, ``deliveryMode`` sits on operations.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

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
    prefixed,
)

BINDING_VERSION = "0.3.0"
DEFAULT_HOST = "localhost:5672"
PERSISTENT = 2


def broker_server(url: str) -> dict[str, Any]:
    """The AsyncAPI server of an ``amqp://`` URL (``memory`` or no host: localhost:5672)."""
    parts = urlsplit(url)
    host, vhost = DEFAULT_HOST, "/"
    if parts.scheme in ("amqp", "amqps"):
        if parts.hostname:
            port = parts.port or (5671 if parts.scheme == "amqps" else 5672)
            host = f"{parts.hostname}:{port}"
        if len(parts.path) > 1:
            vhost = unquote(parts.path[1:])
    return {"host": host, "protocol": "amqps" if parts.scheme == "amqps" else "amqp",
            "protocolVersion": "0-9-1", "pathname": "/" if vhost == "/" else f"/{vhost}",
            "description": f"RabbitMQ, virtual host {vhost!r}."}


def _queue_channel(queue: str, messages: list[str], description: str, vhost: str,
                   dead_letters: str, priority: bool = False) -> dict[str, Any]:
    arguments: dict[str, Any] = {"x-dead-letter-exchange": dead_letters}
    if priority:
        arguments["x-max-priority"] = MAX_PRIORITY
    return {
        "address": queue,
        "description": description,
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
        "bindings": {"amqp": {
            "is": "queue",
            "queue": {"name": queue, "durable": True, "exclusive": False, "autoDelete": False,
                      "vhost": vhost},
            "x-arguments": arguments,
            "bindingVersion": BINDING_VERSION,
        }},
    }


def _channels(prefix: str, vhost: str) -> dict[str, Any]:
    dlx = prefixed(DEAD_LETTER_EXCHANGE, prefix)
    dead = prefixed(DEAD_LETTER_QUEUE, prefix)

    def queue(name: str, messages: list[str], text: str, priority: bool = False) -> Any:
        return _queue_channel(prefixed(name, prefix), messages, text, vhost, dlx, priority)

    return {
        "submissions": queue(SUBMISSIONS_QUEUE, ["RunRequest"],
                             "Submit a run: publish a RunRequest."),
        "runnerJobs": queue(RUNNER_QUEUE, ["SeamJob", "ValidationJob"],
                            "Runner work; P0 jobs carry priority 9, P3 priority 6.",
                            priority=True),
        "auditorJobs": queue(AUDITOR_QUEUE, ["AuditJob"], "Auditor work."),
        "results": queue(RESULTS_QUEUE, ["JobResult", "AuditReport"],
                         "Results consumed by the coordinator."),
        "events": {
            "address": "run.{run_id}.{event}",
            "description": f"Run events on the topic exchange {prefixed(EVENTS_EXCHANGE, prefix)}"
                           "; bind e.g. run.<run_id>.# or run.*.finished.",
            "parameters": {"run_id": {"description": "the run's id"},
                           "event": {"enum": ["accepted", "seam", "batch", "suite",
                                              "finished", "rejected"]}},
            "messages": {"RunEvent": {"$ref": "#/components/messages/RunEvent"}},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {
                "name": prefixed(EVENTS_EXCHANGE, prefix), "type": "topic", "durable": True,
                "autoDelete": False, "vhost": vhost}, "bindingVersion": BINDING_VERSION}},
        },
        "deadLetters": {
            "address": dead,
            "description": f"Rejected messages (through the fanout exchange {dlx}), with the "
                           f"reason in the {REJECT_REASON_HEADER} header.",
            "bindings": {"amqp": {"is": "queue", "queue": {
                "name": dead, "durable": True, "exclusive": False,
                "autoDelete": False, "vhost": vhost}, "bindingVersion": BINDING_VERSION}},
        },
    }


def asyncapi_document(prefix: str = "seamq", broker_url: str = "memory") -> dict[str, Any]:
    """Describe seamq's topology for other tools (submitters, subscribers)."""
    schemas = json_schemas()
    server = broker_server(broker_url)
    vhost = server["pathname"][1:] or "/"
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "seamq", "version": SCHEMA_VERSION,
                 "description": "Messages carry schema_version MAJOR.MINOR; unknown fields are "
                                "ignored within a major version, another major is rejected. "
                                "AMQP properties: content_type application/json, type = model "
                                "name, message_id, correlation_id = run_id, persistent."},
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": server},
        "channels": _channels(prefix, vhost),
        "operations": _operations(),
        "components": {"messages": _messages(schemas), "schemas": _flatten(schemas)},
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
            "bindings": {"amqp": {"messageType": name, "bindingVersion": BINDING_VERSION}},
        }
        for name in schemas
    }


def _operation(action: str, channel: str) -> dict[str, Any]:
    return {"action": action, "channel": {"$ref": f"#/channels/{channel}"},
            "bindings": {"amqp": {"deliveryMode": PERSISTENT, "ack": True,
                                  "bindingVersion": BINDING_VERSION}}}


def _operations() -> dict[str, Any]:
    """What submitters, subscribers and the services do on each channel."""
    return {
        "submitRun": _operation("send", "submissions"),
        "receiveEvents": _operation("receive", "events"),
        "consumeRunnerJobs": _operation("receive", "runnerJobs"),
        "consumeAuditorJobs": _operation("receive", "auditorJobs"),
        "consumeResults": _operation("receive", "results"),
    }
