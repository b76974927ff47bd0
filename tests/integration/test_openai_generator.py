"""The openai generator against a local HTTP server that speaks chat completions."""

from __future__ import annotations

import ast
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from services.runner.generators import make_generator, parse_generator
from services.runner.generators.base import Generator
from shared.contract import ExecutionSpec, GeneratorSpec, Priority, ProjectSource, Seam, SeamJob

OUTPUT = "tests/test_cart_integration.py"
KEY = "sk-test-0123456789"
GOOD_REPLY = '''Here is the file.

```python
"""Integration tests for cart -> pricing."""


def test_total_is_the_sum():
    """Scope: cart. Impact: revenue. Strategy: add items. Criteria: sum."""
    assert sum([2, 3]) == 5
```

It covers the success criterion.'''


@dataclass
class ChatServer:
    """Answers POST /v1/chat/completions with ``reply`` (or ``status``) and records requests."""

    url: str = ""
    reply: str = GOOD_REPLY
    status: int = 200
    hold: threading.Event | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[ChatServer]:
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            if state.status != 200:
                payload = json.dumps({"error": {"message": f"model not loaded ({KEY})"}})
            else:
                payload = json.dumps({
                    "id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": state.reply}}],
                })
            if state.hold is not None:
                state.hold.wait(timeout=10)
            data = payload.encode()
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, which is what the timeout test wants

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def make_job(timeout_s: float = 10) -> SeamJob:
    seam = Seam(id="cart", title="Cart → Pricing", line=3, priority=Priority.P1, output_file=OUTPUT)
    return SeamJob(
        job_id="job-1", run_id="run-1", seam=seam, phase="generate",
        project=ProjectSource(path="."), plan_path="TEST_PLAN.md", execution=ExecutionSpec(),
        generator=GeneratorSpec(kind="openai", target="coder-7b", timeout_s=timeout_s),
    )


def generator(server: ChatServer, key: str = KEY) -> Generator:
    built = make_generator(parse_generator("openai:coder-7b"), llm_base_url=server.url,
                           llm_api_key=key)
    assert built is not None
    return built


class TestOpenAIGenerators:
    """``openai:MODEL`` end to end over HTTP on the loopback interface."""

    def test_the_file_is_taken_from_the_python_block_of_the_reply(
        self, server: ChatServer, tmp_path: Path
    ) -> None:
        outcome = generator(server).generate(make_job(), tmp_path, tmp_path / OUTPUT, "# Brief\n")

        assert outcome.ok, outcome.reason
        assert outcome.content is not None
        assert outcome.content.startswith('"""Integration tests for cart -> pricing."""')
        assert "It covers" not in outcome.content
        assert (tmp_path / OUTPUT).read_text() == outcome.content
        ast.parse(outcome.content)


    def test_the_request_carries_the_model_the_brief_and_the_key(
        self, server: ChatServer, tmp_path: Path
    ) -> None:
        generator(server).generate(make_job(), tmp_path, tmp_path / OUTPUT, "# Brief for cart\n")

        (request,) = server.requests
        assert request["path"] == "/v1/chat/completions"
        assert request["auth"] == f"Bearer {KEY}"
        assert request["body"]["model"] == "coder-7b"
        assert request["body"]["temperature"] == 0.2
        system, user = request["body"]["messages"]
        assert system["role"] == "system"
        assert "```python" in system["content"]
        assert user == {"role": "user", "content": "# Brief for cart\n"}


    def test_no_authorization_header_without_a_key(
        self, server: ChatServer, tmp_path: Path
    ) -> None:
        generator(server, key="").generate(make_job(), tmp_path, tmp_path / OUTPUT, "# Brief\n")

        assert server.requests[0]["auth"] is None


    def test_an_error_status_is_a_failure_with_the_code_and_without_the_key(
        self, server: ChatServer, tmp_path: Path
    ) -> None:
        server.status = 503

        outcome = generator(server).generate(make_job(), tmp_path, tmp_path / OUTPUT, "# Brief\n")

        assert not outcome.ok
        assert outcome.reason.startswith("LLM endpoint answered HTTP 503: ")
        assert "model not loaded" in outcome.reason
        assert KEY not in outcome.reason
        assert not (tmp_path / OUTPUT).exists()


    def test_a_reply_without_code_is_a_failure(self, server: ChatServer, tmp_path: Path) -> None:
        server.reply = "I am sorry, I cannot write tests for this seam."

        outcome = generator(server).generate(make_job(), tmp_path, tmp_path / OUTPUT, "# Brief\n")

        assert not outcome.ok
        assert outcome.reason == (
            "the reply holds no Python code: I am sorry, I cannot write tests for this seam."
        )
        assert not (tmp_path / OUTPUT).exists()


    def test_a_reply_that_is_bare_python_is_used_as_it_is(
        self, server: ChatServer, tmp_path: Path
    ) -> None:
        server.reply = "import pytest\n\n\ndef test_x():\n    assert 1 == 1\n"

        outcome = generator(server).generate(make_job(), tmp_path, tmp_path / OUTPUT, "# Brief\n")

        assert outcome.ok, outcome.reason
        assert outcome.content == server.reply


    def test_an_unreachable_endpoint_is_a_failure(self, tmp_path: Path) -> None:
        dead = ChatServer(url="http://127.0.0.1:9/v1")

        outcome = generator(dead).generate(make_job(), tmp_path, tmp_path / OUTPUT, "# Brief\n")

        assert not outcome.ok
        assert outcome.reason.startswith("LLM endpoint http://127.0.0.1:9/v1/chat/completions ")

    def test_a_server_that_does_not_answer_in_time_is_a_timeout(
        self, server: ChatServer, tmp_path: Path
    ) -> None:
        server.hold = threading.Event()
        try:
            outcome = generator(server).generate(
                make_job(timeout_s=1), tmp_path, tmp_path / OUTPUT, "# Brief\n"
            )
        finally:
            server.hold.set()

        assert not outcome.ok
        assert outcome.reason == "timed out after 1 s"
