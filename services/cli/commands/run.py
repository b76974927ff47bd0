"""``seamq run`` (embedded, or against a broker) and ``seamq submit``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from services.cli.options import build_request
from services.cli.outputs import finish_run
from services.cli.progress import Progress
from services.embedded import Embedded
from services.runner.sandboxes.base import Sandbox
from services.runner.sandboxes.selection import choose_sandbox
from shared.brokers import make_broker
from shared.contract import ExecutionSpec, RunReport, RunRequest
from shared.settings import Settings


class SandboxPool:
    """One sandbox per (kind, image), chosen once with a notice when ``auto`` falls back."""

    def __init__(self, notice: Callable[[str], None]) -> None:
        self.notice = notice
        self._made: dict[tuple[str, str], Sandbox] = {}

    def __call__(self, spec: ExecutionSpec) -> Sandbox:
        key = (spec.sandbox, spec.image)
        if key not in self._made:
            self._made[key] = choose_sandbox(spec.sandbox, spec.image, self.notice)
        return self._made[key]

    def close(self) -> None:
        for sandbox in self._made.values():
            sandbox.close()


async def _main(runner: Embedded, request: RunRequest, pool: SandboxPool) -> RunReport:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def interrupt() -> None:
        pool.close()
        task.cancel()

    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGINT, interrupt)
        loop.add_signal_handler(signal.SIGTERM, interrupt)
    try:
        return await runner.run(request)
    finally:
        pool.close()


def run_command(args: argparse.Namespace) -> int:
    settings = Settings()
    request = build_request(args)
    if args.command == "submit":
        from services.cli.commands.submit import submit_command

        return submit_command(args, request, settings)
    out_dir = Path(args.out) if args.out else Path(".seamq") / "runs" / request.run_id
    progress = Progress(request.plan.seams)
    pool = SandboxPool(progress.notice)
    # Choose the sandbox up front so an `auto` fallback or a missing engine shows at once.
    pool(request.execution)
    embedded = Embedded(
        broker=make_broker(args.broker, prefix=settings.broker_prefix),
        store_path=Path(settings.state_dir) / "embedded.sqlite",
        cache_dir=Path(settings.cache_dir),
        concurrency=args.concurrency,
        sandbox_for=pool,
        progress=progress,
        llm_base_url=settings.llm_base_url,
        llm_api_key=settings.llm_api_key.get_secret_value(),
        seed=args.seed,
    )
    try:
        report = asyncio.run(_main(embedded, request, pool))
    except (asyncio.CancelledError, KeyboardInterrupt):
        print("seamq: interrupted before any report could be written", file=sys.stderr)
        return 2
    project = Path(request.project.path) if request.project.kind == "path" else None
    return finish_run(report, project, out_dir, write_back=args.write_back, fmt=args.format)
