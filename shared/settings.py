"""Typed settings read from the environment (``SEAMQ_`` prefix, ``__`` for nesting).

Built once, in the entry point (``services/cli/main.py``), and passed down to the commands;
``SEAMQ_BROKER_URL`` and ``SEAMQ_METRICS_PORT`` are the defaults of ``--broker`` and
``--metrics-port``.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process settings; secrets (the broker URL holds a password) are hidden in the repr."""

    model_config = SettingsConfigDict(env_prefix="SEAMQ_", env_nested_delimiter="__")

    broker_url: SecretStr = SecretStr("memory")
    # Replaces "seamq" in every RabbitMQ exchange and queue name: isolates tests and fleets.
    broker_prefix: str = "seamq"
    log_format: str = "auto"
    log_level: str = "info"
    state_dir: str = ".seamq/state"
    cache_dir: str = ".seamq/cache"
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    llm_base_url: str = "http://127.0.0.1:8000/v1"
    llm_api_key: SecretStr = SecretStr("")
