"""Reading ``--generator`` and building the generator a runner uses."""

from __future__ import annotations

import pytest

from services.runner.generators import (
    CommandGenerator,
    OpenAIGenerator,
    ScaffoldGenerator,
    make_generator,
    parse_generator,
)
from shared.contract import GeneratorSpec
from shared.errors import UsageError


@pytest.mark.parametrize(
    ("spec", "kind", "target"),
    [
        ("command:./write_tests.sh", "command", "./write_tests.sh"),
        ("command:claude -p --model opus", "command", "claude -p --model opus"),
        ("command:python -c 'print(1)'", "command", "python -c 'print(1)'"),
        ("openai:gpt-4o-mini", "openai", "gpt-4o-mini"),
        ("openai:qwen2.5-coder:7b", "openai", "qwen2.5-coder:7b"),
        (" OpenAI:llama3 ", "openai", "llama3"),
        ("scaffold", "scaffold", ""),
        ("none", "none", ""),
        ("", "none", ""),
    ],
)
def test_parse_generator_reads_every_documented_form(spec: str, kind: str, target: str) -> None:
    assert parse_generator(spec) == GeneratorSpec.model_validate({"kind": kind, "target": target})


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("command:", "command needs a program"),
        ("openai:", "openai needs a model"),
        ("openai", "openai needs a model"),
        ("scaffold:fast", "scaffold takes no argument"),
        ("claude", "unknown generator 'claude'"),
        ("none:x", "unknown generator 'none:x'"),
        ("command:" + "x" * 2_000, "--generator: "),
    ],
)
def test_parse_generator_rejects_bad_specs_as_usage_errors(spec: str, message: str) -> None:
    with pytest.raises(UsageError, match=r"^--generator: ") as caught:
        parse_generator(spec)

    assert message in str(caught.value)
    assert caught.value.exit_code == 4


def test_make_generator_builds_each_kind() -> None:
    settings = {"llm_base_url": "http://127.0.0.1:8000/v1/", "llm_api_key": "sk-secret"}

    command = make_generator(parse_generator("command:./agent"), **settings)
    openai = make_generator(parse_generator("openai:m"), **settings)

    assert isinstance(command, CommandGenerator)
    assert command.target == "./agent"
    assert isinstance(openai, OpenAIGenerator)
    assert openai.url == "http://127.0.0.1:8000/v1/chat/completions"
    assert "sk-secret" not in repr(openai)
    assert isinstance(make_generator(parse_generator("scaffold"), **settings), ScaffoldGenerator)
    assert make_generator(parse_generator("none"), **settings) is None


def test_make_generator_needs_a_base_url_for_openai() -> None:
    with pytest.raises(UsageError, match="SEAMQ_LLM_BASE_URL"):
        make_generator(parse_generator("openai:m"), llm_base_url="", llm_api_key="")
