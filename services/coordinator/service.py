"""The coordinator service: accepts runs, drives their state machines, persists them."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import structlog

from services.coordinator.cache import look_up, remember
from services.coordinator.machine import RunMachine
from services.coordinator.plans import resolve_plan
from services.coordinator.scheduler import dispatch_order, make_batches, select
from services.coordinator.state import RunState, SeamState, ValidationState
from services.coordinator.store import RunStore, project_key
from shared.brokers.base import Delivery, Outgoing
from shared.contract import AuditReport, JobResult, RunEvent, RunRequest
from shared.errors import PlanError, RejectMessage, SandboxError
from shared.project import materialize, pin
from shared.topology import event_key

log = structlog.get_logger("seamq.coordinator")

Outlet = Callable[[Outgoing], Awaitable[None]]


def new_run(request: RunRequest, seed: int, durations: dict[str, float],
            clock: Callable[[], float] = time.time) -> RunState:
    """Select seams, order them for dispatch and group them into batches."""
    selected = select(request.parsed_plan, request.priorities)
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
    return project_key(request.project.kind, location, request.parsed_plan.path)


class CoordinatorService:
    """Message handlers for the submissions and results queues.

    Without an ``outlet`` a handler returns the messages a transition produced, for the
    broker to publish. With one (the long-running service) it saves them with the run in
    the store's outbox, sends them itself and returns nothing, so that a coordinator killed
    in between sends them after its restart (``resume``) instead of stalling the run.
    Handlers run one at a time: a run's machine is never entered twice at once.
    """

    def __init__(self, store: RunStore, cache_dir: Path, clock: Callable[[], float] = time.time,
                 seed: int | None = None, outlet: Outlet | None = None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.clock = clock
        self.seed = seed
        self.outlet = outlet
        self._machines: dict[str, RunMachine] = {}
        self._lock = asyncio.Lock()

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
        message = delivery.message
        if not isinstance(message, RunRequest):
            raise RejectMessage(f"submissions take RunRequest, not {type(message).__name__}")
        request: RunRequest = message
        async with self._lock:
            await self._flush()
            if self.store.load(request.run_id) is not None:
                log.info("duplicate submission ignored", run_id=request.run_id)
                return []
            try:
                # A git ref is resolved once: every job of the run sees the same commit.
                project = await asyncio.to_thread(pin, request.project, self.cache_dir)
                request = request.model_copy(update={"project": project})
                # A plan sent as a path or text is read here, once, by the one reader.
                project_dir = await asyncio.to_thread(materialize, project, self.cache_dir)
                request = await asyncio.to_thread(resolve_plan, request, project_dir)
                seed = self.seed if self.seed is not None \
                    else random.SystemRandom().randrange(2**32)
                state = new_run(request, seed, self.store.durations(_key(request)), self.clock)
                machine = await self._machine(state)
                await asyncio.to_thread(look_up, state, self.store, machine.project_dir)
            except (SandboxError, PlanError) as e:
                reason = f"run {request.run_id}: {e}"
                event = RunEvent(run_id=request.run_id, event="rejected", detail=reason,
                                 at=self.clock())
                topic = event_key(request.run_id, "rejected")
                raise RejectMessage(reason, [Outgoing(message=event, topic=topic)]) from e
            out = machine.start()
            log.info("run accepted", seams=len(state.order), batches=len(state.batches))
            return await self._commit(machine, out)

    async def on_result(self, delivery: Delivery) -> Sequence[Outgoing]:
        message = delivery.message
        if not isinstance(message, JobResult | AuditReport):
            raise RejectMessage(
                f"results take JobResult or AuditReport, not {type(message).__name__}"
            )
        async with self._lock:
            await self._flush()
            machine = self._machines.get(message.run_id)
            if machine is None:
                state = self.store.load(message.run_id)
                if state is None:
                    raise RejectMessage(f"result for unknown run {message.run_id}")
                if state.finished:
                    log.info("result ignored", why="its run has finished")
                    return []
                machine = await self._machine(state)
            out = machine.on_audit(message) if isinstance(message, AuditReport) \
                else machine.on_result(message)
            if not out:
                log.info("result ignored", why="a duplicate, or not its seam's current job")
            return await self._commit(machine, out)

    async def _commit(self, machine: RunMachine, out: list[Outgoing]) -> Sequence[Outgoing]:
        """Persist the transition; send its messages through the outlet, or return them."""
        if self.outlet is None:
            self._persist(machine)
            return out
        ids = self._persist(machine, out)
        for item in out:
            await self.outlet(item)
        self.store.sent(ids)
        return []

    async def _flush(self) -> None:
        """Send what an earlier incarnation saved but may not have sent (at least once)."""
        if self.outlet is None:
            return
        unsent = self.store.unsent()
        if unsent:
            log.warning("sending messages saved before a restart", messages=len(unsent))
        for row_id, item in unsent:
            await self.outlet(item)
            self.store.sent([row_id])

    def _persist(self, machine: RunMachine, outbox: Sequence[Outgoing] = ()) -> list[int]:
        state = machine.state
        ids = self.store.save(state, outbox)
        if state.finished:
            done = {
                s.id: s.finished_at - s.started_at
                for s in state.seams.values()
                if s.status == "passed" and s.finished_at and s.started_at
            }
            self.store.record_durations(_key(state.request), done)
            remember(state, self.store)
            self._machines.pop(state.run_id, None)
        return ids

    async def resume(self) -> Sequence[Outgoing]:
        """Reload unfinished runs after a restart (their jobs are still on the broker) and
        send what the outbox still holds."""
        async with self._lock:
            for state in self.store.unfinished():
                try:
                    await self._machine(state)
                except SandboxError as e:
                    log.error("cannot resume run", run_id=state.run_id, reason=str(e))
                else:
                    log.info("run resumed", run_id=state.run_id)
            await self._flush()
        return []

    def interrupt(self, run_id: str) -> Outgoing | None:
        machine = self._machines.get(run_id)
        if machine is None or machine.state.finished:
            return None
        event = machine.interrupt()
        self._persist(machine)
        return event
