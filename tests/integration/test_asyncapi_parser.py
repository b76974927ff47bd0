"""``seamq schema --asyncapi`` is accepted by the official AsyncAPI parser (3.x).

The parser is npm's ``@asyncapi/parser``, installed by tests/run.sh into tests/.node;
tests/node/asyncapi_validate.mjs prints its diagnostics as JSON. Without node or the parser
these tests skip on a laptop and fail when ``CI`` is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest

from shared.asyncapi import asyncapi_document
from shared.topology import RUNNER_QUEUE

TESTS = Path(__file__).parents[1]
SCRIPT = TESTS / "node" / "asyncapi_validate.mjs"
PARSER = TESTS / ".node" / "node_modules" / "@asyncapi" / "parser"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the AsyncAPI parser test must run)", pytrace=False)
    pytest.skip(reason)


def parser_diagnostics(document: dict[str, Any], tmp_path: Path) -> dict[str, list[Any]]:
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed; run deploy/provision.sh tools")
    if not PARSER.is_dir():
        _unavailable("@asyncapi/parser is missing; run tests/run.sh (npm install --prefix "
                     "tests/.node @asyncapi/parser@3)")
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    done = subprocess.run([node, str(SCRIPT), str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, list[Any]] = json.loads(done.stdout)
    return result


def printed_document(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "services.cli.main", "schema", "--asyncapi"],
                          capture_output=True, text=True, timeout=60, check=True,
                          env={**os.environ, **env})
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def test_the_printed_asyncapi_document_has_no_parser_errors(tmp_path: Path) -> None:
    document = printed_document({"SEAMQ_BROKER_URL": "amqp://u:secret@mq.example:5673/fleet"})

    diagnostics = parser_diagnostics(document, tmp_path)

    assert diagnostics["errors"] == []
    assert document["servers"]["rabbitmq"]["host"] == "mq.example:5673"
    assert "secret" not in json.dumps(document)


def test_the_document_follows_the_broker_prefix(tmp_path: Path) -> None:
    document = printed_document({"SEAMQ_BROKER_PREFIX": "ci42"})

    runner = document["channels"]["runnerJobs"]

    assert runner["address"] == RUNNER_QUEUE.replace("seamq", "ci42")
    assert runner["bindings"]["amqp"]["queue"]["name"] == "ci42.runner"
    assert parser_diagnostics(document, tmp_path)["errors"] == []


def test_the_parser_rejects_delivery_mode_in_message_bindings(tmp_path: Path) -> None:
    """Guards the test itself: the defect it exists for is reported as an error."""
    document = asyncapi_document()
    document["components"]["messages"]["RunRequest"]["bindings"]["amqp"]["deliveryMode"] = 2

    assert parser_diagnostics(document, tmp_path)["errors"] != []
