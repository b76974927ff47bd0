"""Typed settings read from the environment (``SEAMQ_`` prefix, ``__`` for nesting)."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class LlmSettings(BaseModel):
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key: SecretStr = SecretStr("")
    timeout_s: float = 300.0


class Settings(BaseSettings):
    """Process settings; secrets are hidden in the repr. Read only in entry points."""

    model_config = SettingsConfigDict(env_prefix="SEAMQ_", env_nested_delimiter="__")

    broker: str = "memory"
    # Replaces "seamq" in every RabbitMQ exchange and queue name: isolates tests and fleets.
    broker_prefix: str = "seamq"
    log_format: str = "auto"
    log_level: str = "info"
    state_dir: str = ".seamq/state"
    cache_dir: str = ".seamq/cache"
    metrics_port: int | None = None
    runner_prefetch: int = 1
    llm_base_url: str = "http://127.0.0.1:8000/v1"
    llm_api_key: SecretStr = SecretStr("")
