"""The coordinator service: accepts runs, drives their state machines, persists them."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import structlog

from services.coordinator.machine import RunMachine
from services.coordinator.scheduler import dispatch_order, make_batches, select
from services.coordinator.state import RunState, SeamState, ValidationState
from services.coordinator.store import RunStore, project_key
from shared.brokers.base import Delivery, Outgoing
from shared.contract import AuditReport, JobResult, RunRequest, SeamStatus
from shared.errors import RejectMessage, SandboxError
from shared.project import materialize

log = structlog.get_logger("seamq.coordinator")


def new_run(request: RunRequest, seed: int, durations: dict[str, float],
            clock: Callable[[], float] = time.time) -> RunState:
    """Select seams, order them for dispatch and group them into batches."""
    selected = select(request.plan, request.priorities)
    ordered = dispatch_order(selected, {**durations, **request.recorded_durations})
    batches = make_batches(selected, request.batch_size)
    return RunState(
        request=request,
        seams={s.id: SeamState(id=s.id) for s in ordered},
        order=[s.id for s in ordered],
        batches=[ValidationState(seams=[s.id for s in batch]) for batch in batches],
        suite=ValidationState(seams=[s.id for s in selected]),
        seed=seed,
        started_at=clock(),
    )


def _key(request: RunRequest) -> str:
    location = request.project.path if request.project.kind == "path" else request.project.url
    return project_key(request.project.kind, location, request.plan.path)


class CoordinatorService:
    """Message handlers for the submissions and results queues."""

    def __init__(self, store: RunStore, cache_dir: Path, clock: Callable[[], float] = time.time,
                 seed: int | None = None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.clock = clock
        self.seed = seed
        self._machines: dict[str, RunMachine] = {}

    async def _machine(self, state: RunState) -> RunMachine:
        machine = self._machines.get(state.run_id)
        if machine is None:
            project_dir = await asyncio.to_thread(
                materialize, state.request.project, self.cache_dir
            )
            machine = RunMachine(state, project_dir, self.clock)
            self._machines[state.run_id] = machine
        return machine

    async def on_submission(self, delivery: Delivery) -> Sequence[Outgoing]:
        request = delivery.message
        if not isinstance(request, RunRequest):
            raise RejectMessage(f"submissions take RunRequest, not {type(request).__name__}")
        if self.store.load(request.run_id) is not None:
            log.info("duplicate submission ignored", run_id=request.run_id)
            return []
        seed = self.seed if self.seed is not None else random.SystemRandom().randrange(2**32)
        state = new_run(request, seed, self.store.durations(_key(request)), self.clock)
        try:
            machine = await self._machine(state)
        except SandboxError as e:
            raise RejectMessage(f"run {request.run_id}: {e}") from e
        out = machine.start()
        self._persist(machine)
        log.info("run accepted", seams=len(state.order), batches=len(state.batches))
        return out

    async def on_result(self, delivery: Delivery) -> Sequence[Outgoing]:
        message = delivery.message
        if not isinstance(message, JobResult | AuditReport):
            raise RejectMessage(
                f"results take JobResult or AuditReport, not {type(message).__name__}"
            )
        machine = self._machines.get(message.run_id)
        if machine is None:
            state = self.store.load(message.run_id)
            if state is None:
                raise RejectMessage(f"result for unknown run {message.run_id}")
            machine = await self._machine(state)
        if machine.state.finished:
            return []
        out = machine.on_audit(message) if isinstance(message, AuditReport) \
            else machine.on_result(message)
        self._persist(machine)
        return out

    def _persist(self, machine: RunMachine) -> None:
        state = machine.state
        self.store.save(state)
        if state.finished:
            done = {
                s.id: s.finished_at - s.started_at
                for s in state.seams.values()
                if s.status == SeamStatus.PASSED and s.finished_at and s.started_at
            }
            self.store.record_durations(_key(state.request), done)
            self._machines.pop(state.run_id, None)

    async def resume(self) -> Sequence[Outgoing]:
        """Reload unfinished runs after a restart; their jobs are still on the broker."""
        for state in self.store.unfinished():
            await self._machine(state)
        return []

    def interrupt(self, run_id: str) -> Outgoing | None:
        machine = self._machines.get(run_id)
        if machine is None or machine.state.finished:
            return None
        event = machine.interrupt()
        self._persist(machine)
        return event
