"""seamq service processes for fleet tests: started with their own prefix and cache, their
JSON log lines collected so that tests wait on what a service says, never on sleeps."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
WAIT_S = 60.0
# A JSON log line with a traceback can be long; the reader must not choke on it.
LINE_LIMIT = 1 << 20

LogLine = dict[str, Any]


class ServiceProcess:
    """One ``python -m services.cli.main …`` process; ``lines`` holds its parsed stderr lines."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log_file: Path) -> None:
        self.name = name
        self.process = process
        self.log_file = log_file
        self.lines: list[LogLine] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    async def _read(self) -> None:
        assert self.process.stderr is not None
        with self.log_file.open("a") as log:
            async for raw in self.process.stderr:
                text = raw.decode(errors="replace").rstrip("\n")
                log.write(text + "\n")
                log.flush()
                try:
                    line = json.loads(text)
                except ValueError:
                    line = {"event": text}
                if not isinstance(line, dict):
                    line = {"event": text}
                async with self._changed:
                    self.lines.append(line)
                    self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, match: Callable[[LogLine], bool], timeout: float = WAIT_S,
                       start: int = 0) -> LogLine:
        """The first line from index ``start`` on that matches; fails after ``timeout``."""

        def found() -> LogLine | None:
            return next((line for line in self.lines[start:] if match(line)), None)

        async def wait() -> LogLine:
            async with self._changed:
                await self._changed.wait_for(lambda: found() is not None or self._reader.done())
            line = found()
            if line is None:
                raise AssertionError(f"{self.name} exited ({self.process.returncode}) before "
                                     f"the awaited log line; see {self.log_file}")
            return line

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"{self.name}: awaited log line not seen within {timeout} s; "
                                 f"see {self.log_file}") from None

    async def wait_event(self, event: str, timeout: float = WAIT_S, start: int = 0) -> LogLine:
        return await self.wait_for(lambda line: line.get("event") == event, timeout, start)

    def events(self, event: str) -> list[LogLine]:
        return [line for line in self.lines if line.get("event") == event]

    async def send(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(sig)

    async def stop(self, sig: signal.Signals = signal.SIGKILL, timeout: float = WAIT_S) -> int:
        """Send ``sig`` and wait for the exit; returns the exit code."""
        if self.running:
            await self.send(sig)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.wait_for(self._reader, timeout)
        return code


def service_env(prefix: str, root: Path, name: str, extra: dict[str, str] | None = None,
                ) -> dict[str, str]:
    """The environment of one process: its own prefix, cache and state, JSON logs."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SEAMQ_BROKER_PREFIX": prefix,
        "SEAMQ_CACHE_DIR": str(root / "cache" / name),
        "SEAMQ_STATE_DIR": str(root / "state" / name),
        "SEAMQ_LOG_FORMAT": "json",
        "SEAMQ_LOG_LEVEL": "info",
        **(extra or {}),
    }


async def start_process(name: str, argv: list[str], env: dict[str, str],
                        log_dir: Path) -> ServiceProcess:
    log_dir.mkdir(parents=True, exist_ok=True)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli.main", *argv,
        cwd=REPO, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        start_new_session=True, limit=LINE_LIMIT,
    )
    return ServiceProcess(name, process, log_dir / f"{name}.log")
