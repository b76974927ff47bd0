"""Generators: write a seam's missing test file (an agent command, an LLM endpoint, a scaffold).

``parse_generator`` reads the ``--generator`` option into the contract's ``GeneratorSpec``;
``make_generator`` builds the implementation a runner uses for it.
"""

from __future__ import annotations

from pydantic import ValidationError

from services.runner.generators.base import GenerationOutcome, Generator
from services.runner.generators.brief import render_brief
from services.runner.generators.command import CommandGenerator
from services.runner.generators.openai import OpenAIGenerator
from services.runner.generators.scaffold import ScaffoldGenerator
from shared.contract import GeneratorSpec
from shared.errors import UsageError

__all__ = [
    "CommandGenerator",
    "GenerationOutcome",
    "Generator",
    "OpenAIGenerator",
    "ScaffoldGenerator",
    "make_generator",
    "parse_generator",
    "render_brief",
]

FORMS = "command:PATH_OR_CMD, openai:MODEL, scaffold or none"


def parse_generator(spec: str) -> GeneratorSpec:
    """``command:PATH_OR_CMD`` | ``openai:MODEL`` | ``scaffold`` | ``none`` (or empty)."""
    text = spec.strip()
    kind, sep, target = text.partition(":")
    kind, target = kind.strip().lower(), target.strip()
    if kind in ("", "none") and not sep:
        return GeneratorSpec(kind="none")
    if kind == "scaffold":
        if target:
            raise UsageError(f"--generator: scaffold takes no argument, got {spec!r}")
        return GeneratorSpec(kind="scaffold")
    if kind == "command" and not target:
        raise UsageError("--generator: command needs a program, e.g. command:./write_tests.sh")
    if kind == "openai" and not target:
        raise UsageError("--generator: openai needs a model, e.g. openai:gpt-4o-mini")
    if kind != "command" and kind != "openai":
        raise UsageError(f"--generator: unknown generator {spec!r}; expected {FORMS}")
    try:
        return GeneratorSpec.model_validate({"kind": kind, "target": target})
    except ValidationError as e:
        raise UsageError(f"--generator: {e.errors()[0]['msg']}") from e


def make_generator(
    spec: GeneratorSpec, *, llm_base_url: str, llm_api_key: str
) -> Generator | None:
    """The generator for ``spec``; None when generation is off."""
    if spec.kind == "command":
        return CommandGenerator(spec.target)
    if spec.kind == "openai":
        if not llm_base_url:
            raise UsageError("--generator openai: SEAMQ_LLM_BASE_URL is empty")
        return OpenAIGenerator(spec.target, base_url=llm_base_url, api_key=llm_api_key)
    if spec.kind == "scaffold":
        return ScaffoldGenerator()
    return None
