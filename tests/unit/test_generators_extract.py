"""Taking the test file out of a chat-completions reply."""

from __future__ import annotations

import json

import pytest

from services.runner.generators.openai import extract_code, reply_text
from shared.errors import GenerationError


def test_the_first_python_block_wins_over_other_blocks() -> None:
    reply = "```bash\npip install x\n```\n```python\nimport a\n```\n```py\nimport b\n```"

    assert extract_code(reply) == "import a\n"


def test_without_a_python_block_the_largest_block_is_used() -> None:
    reply = "```\nx = 1\n```\nand\n```\nimport pytest\n\n\ndef test_x():\n    assert x\n```"

    assert extract_code(reply).startswith("import pytest")


def test_a_truncated_reply_with_an_unclosed_block_still_yields_its_code() -> None:
    assert extract_code("```python\ndef test_x():\n    assert 1\n") == (
        "def test_x():\n    assert 1\n"
    )


def test_prose_that_happens_to_parse_is_not_code() -> None:
    with pytest.raises(GenerationError, match="holds no Python code"):
        extract_code("Sorry")


def test_code_that_does_not_parse_is_a_failure() -> None:
    with pytest.raises(GenerationError, match=r"does not parse: line 1: "):
        extract_code("```python\ndef test_x(:\n```")


def test_reply_text_reads_string_and_list_contents() -> None:
    plain = {"choices": [{"message": {"content": "hello"}}]}
    parts = {"choices": [{"message": {"content": [{"type": "text", "text": "he"},
                                                  {"type": "text", "text": "llo"}]}}]}

    assert reply_text(json.dumps(plain).encode()) == "hello"
    assert reply_text(json.dumps(parts).encode()) == "hello"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>bad gateway</html>", "unreadable reply: <html>bad gateway</html>"),
        (b'{"choices": []}', "unreadable reply"),
        (b'{"choices": [{"message": {"content": null}}]}', "empty reply"),
    ],
)
def test_reply_text_rejects_bodies_without_a_message(body: bytes, message: str) -> None:
    with pytest.raises(GenerationError, match=message):
        reply_text(body)
