"""The contract's foundations: schema version, bounded string types and the base models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

SCHEMA_MAJOR = 1
SCHEMA_VERSION = f"{SCHEMA_MAJOR}.0"
MAX_MESSAGE_BYTES = 16 * 1024 * 1024

Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(max_length=1_000)]
Text = Annotated[str, StringConstraints(max_length=200_000)]
FileContent = Annotated[str, StringConstraints(max_length=2_000_000)]
RelPath = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]


class Model(BaseModel):
    """Base of every contract model: strict, frozen, tolerant of unknown fields."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")


class Message(Model):
    """A model sent on its own through the broker; carries the schema version."""

    schema_version: Annotated[str, StringConstraints(max_length=20)] = SCHEMA_VERSION

    @field_validator("schema_version")
    @classmethod
    def _same_major(cls, value: str) -> str:
        major = value.split(".", 1)[0]
        if major != str(SCHEMA_MAJOR):
            raise ValueError(
                f"schema major version {major!r} is not supported (this is {SCHEMA_MAJOR})"
            )
        return value
