"""``--generator openai:MODEL``: any OpenAI-compatible chat-completions endpoint.

The base URL and key come from the runner's settings (``SEAMQ_LLM_BASE_URL``,
``SEAMQ_LLM_API_KEY``), so hosted APIs and local servers (vLLM, llama.cpp, Ollama) both
work. The brief is the user message; the test file is taken from the reply's first
```` ```python ```` block (else its largest fenced block, else the whole reply when it is
Python). Standard library only; the key never appears in a reason or a log.
"""

from __future__ import annotations

import ast
import http.client
import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from services.runner.generators.base import (
    GenerationOutcome,
    Generator,
    misplaced,
    output_rel,
    read_output,
    tail,
)
from shared.contract import SeamJob
from shared.errors import GenerationError

SYSTEM_PROMPT = (
    "You are a senior Python engineer who writes pytest integration tests. Follow the brief "
    "exactly: its scope, success criteria, fixtures and testing policy. Reply with the complete "
    "content of the one test file in a single ```python fenced block and nothing else."
)
TEMPERATURE = 0.2
BODY_CHARS = 300
FENCE = re.compile(r"^```[ \t]*([\w+.-]*)[^\n]*\n(.*?)(?:^```[ \t]*$|\Z)", re.M | re.S)
PYTHON_TAGS = frozenset({"python", "py", "python3"})


class OpenAIGenerator(Generator):
    """Asks a chat-completions model for the file and writes what it answers."""

    kind = "openai"

    def __init__(self, model: str, *, base_url: str, api_key: str) -> None:
        self.model = model
        self.url = base_url.rstrip("/") + "/chat/completions"
        self._api_key = api_key

    def __repr__(self) -> str:
        return f"OpenAIGenerator(model={self.model!r}, url={self.url!r})"

    def generate(
        self, job: SeamJob, workspace: Path, output_path: Path, brief: str
    ) -> GenerationOutcome:
        started = time.monotonic()
        rel = output_rel(workspace, output_path)
        if rel is None:
            return misplaced(output_path)
        reply = ""
        try:
            reply = self.complete(brief, timeout=job.generator.timeout_s)
            code = extract_code(reply)
        except GenerationError as e:
            return GenerationOutcome(
                False, None, self._redact(str(e)), log_tail=self._redact(tail(reply)),
                duration_s=time.monotonic() - started,
            )
        output_path.parent.mkdir(parents=True, exist_ok=True)
        output_path.write_text(code, encoding="utf-8")
        content, problem = read_output(output_path, rel)
        return GenerationOutcome(
            ok=not problem, content=content, reason=problem,
            log_tail=self._redact(tail(reply)), duration_s=time.monotonic() - started,
        )

    def complete(self, brief: str, *, timeout: float) -> str:
        """The assistant's reply to the brief; any failure is a GenerationError."""
        body = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": brief},
            ],
            "temperature": TEMPERATURE,
        }
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw: bytes = response.read()
        except urllib.error.HTTPError as e:
            with e:
                detail = _short(e.read().decode("utf-8", "replace"))
            raise GenerationError(f"LLM endpoint answered HTTP {e.code}: {detail}") from e
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise GenerationError(f"timed out after {timeout:g} s") from e
            raise GenerationError(f"LLM endpoint {self.url} unreachable: {e.reason}") from e
        except TimeoutError as e:
            raise GenerationError(f"timed out after {timeout:g} s") from e
        except (OSError, http.client.HTTPException) as e:
            raise GenerationError(f"LLM endpoint {self.url} failed: {e!r}") from e
        return reply_text(raw)

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text


def reply_text(raw: bytes) -> str:
    """The first choice's message content from a chat-completions response body."""
    try:
        data: Any = json.loads(raw)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as e:
        text = raw.decode("utf-8", "replace")
        raise GenerationError(f"LLM endpoint sent an unreadable reply: {_short(text)}") from e
    if isinstance(content, list):
        content = "".join(
            str(part.get("text", "")) for part in content if isinstance(part, dict)
        )
    if not isinstance(content, str) or not content.strip():
        raise GenerationError("LLM endpoint sent an empty reply")
    return content


def extract_code(reply: str) -> str:
    """The test file in a reply: first python block, else largest block, else the reply."""
    blocks: list[tuple[str, str]] = [(tag.lower(), body) for tag, body in FENCE.findall(reply)]
    python = [body for tag, body in blocks if tag in PYTHON_TAGS]
    if python:
        code = python[0]
    elif blocks:
        code = max((body for _, body in blocks), key=len)
    elif _defines_something(reply):
        code = reply
    else:
        raise GenerationError(f"the reply holds no Python code: {_short(reply)}")
    try:
        ast.parse(code)
    except SyntaxError as e:
        raise GenerationError(f"the reply's code does not parse: line {e.lineno}: {e.msg}") from e
    return code.strip() + "\n"


def _defines_something(text: str) -> bool:
    """Whether bare text is a Python module with at least one import, def or class."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return any(isinstance(node, kinds) for node in tree.body)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BODY_CHARS else text[:BODY_CHARS] + "…"
