"""Scheduling: which seams run, how they are grouped into batches, and in what order.

Dependencies are ordering constraints between the seams given, never a reason to select
more seams: a dependency on a seam that is not selected is ignored here.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Collection, Mapping, Sequence

from shared.contract import Priority, Seam, TestPlan

_WORD = re.compile(r"[a-z0-9]+")
_GENERIC = frozenset({
    "test", "tests", "testing", "integration", "seam", "seams", "service", "services", "api",
    "layer", "system", "data", "flow", "flows", "end", "the", "and", "with", "from", "into",
    "for", "via", "between", "using", "through", "when", "that", "this", "all", "new", "real",
    "request", "requests", "response", "responses", "error", "errors", "handling", "client",
    "server", "component", "components", "module", "modules", "interface", "call", "calls",
    "against", "read", "reads", "write", "writes", "table", "tables", "endpoint", "endpoints",
    "path", "existing", "local",
})


def select(plan: TestPlan, priorities: Collection[Priority] = ()) -> list[Seam]:
    """Seams to run: not deferred and, when ``priorities`` is given, of one of them.

    Sorted by priority rank, then plan order.
    """
    wanted = set(priorities)
    chosen = [s for s in plan.seams if not s.deferred and (not wanted or s.priority in wanted)]
    return sorted(chosen, key=lambda s: s.priority.rank)


def components(seam: Seam) -> frozenset[str]:
    """Significant words of a seam's title and scope, plus its services (for relatedness)."""
    words = _WORD.findall(f"{seam.title} {seam.scope}".lower())
    significant = {w for w in words if len(w) >= 3 and w not in _GENERIC and not w.isdigit()}
    names = significant | {s.lower() for s in seam.services}
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in names)


def related(a: Seam, b: Seam) -> bool:
    """Whether two seams depend on each other or share a component."""
    return a.id in b.depends_on or b.id in a.depends_on or bool(components(a) & components(b))


def _topological(seams: Sequence[Seam]) -> list[Seam]:
    """Stable order in which every seam follows the seams it depends on.

    The ready seam earliest in the given order always goes next; a cycle (which a checked
    plan never has) is broken at its earliest seam.
    """
    index = {s.id: i for i, s in enumerate(seams)}
    waiting = {s.id: {d for d in s.depends_on if d in index and d != s.id} for s in seams}
    dependents: dict[str, list[str]] = {s.id: [] for s in seams}
    for seam in seams:
        for dep in waiting[seam.id]:
            dependents[dep].append(seam.id)
    ready = [i for i, s in enumerate(seams) if not waiting[s.id]]
    heapq.heapify(ready)
    done: set[str] = set()
    ordered: list[Seam] = []
    pending = 0
    while len(ordered) < len(seams):
        if not ready:
            while seams[pending].id in done:
                pending += 1
            ready.append(pending)
        seam = seams[heapq.heappop(ready)]
        if seam.id in done:
            continue
        done.add(seam.id)
        ordered.append(seam)
        for other in dependents[seam.id]:
            waiting[other].discard(seam.id)
            if not waiting[other] and other not in done:
                heapq.heappush(ready, index[other])
    return ordered


def _effective_ranks(ordered: Sequence[Seam]) -> dict[str, int]:
    """Each seam's rank, raised to the most urgent rank of any seam that depends on it."""
    rank = {s.id: s.priority.rank for s in ordered}
    for seam in reversed(ordered):
        for dep in seam.depends_on:
            if dep in rank:
                rank[dep] = min(rank[dep], rank[seam.id])
    return rank


def _neighbours(seams: Sequence[Seam]) -> dict[str, set[str]]:
    """For each seam, the seams it is related to (dependency edge or shared component)."""
    found: dict[str, set[str]] = {s.id: set() for s in seams}
    sharing: dict[str, list[str]] = {}
    for seam in seams:
        for word in components(seam):
            sharing.setdefault(word, []).append(seam.id)
        for dep in seam.depends_on:
            if dep in found and dep != seam.id:
                found[seam.id].add(dep)
                found[dep].add(seam.id)
    for group in sharing.values():
        for seam_id in group:
            found[seam_id].update(group)
    for seam_id, near in found.items():
        near.discard(seam_id)
    return found


def make_batches(seams: Sequence[Seam], batch_size: int = 3) -> list[list[Seam]]:
    """Group seams into batches of at most ``batch_size`` related seams.

    Seams are ordered by priority (a seam something more urgent depends on counts as that
    urgent) then by the given order, dependencies first. Each batch starts with the first
    unplaced seam and takes the next ready seams related to it (shared dependency edge,
    component word or service); a seam without any relation to other unplaced seams may fill
    a free place. A seam joins only when no unplaced seam outside the batch is more urgent,
    and never before a seam it depends on.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    ranks = _effective_ranks(_topological(seams))
    position = {s.id: i for i, s in enumerate(seams)}
    ordered = _topological(sorted(seams, key=lambda s: (ranks[s.id], position[s.id])))
    near = _neighbours(seams)
    unplaced = dict.fromkeys(s.id for s in ordered)
    by_id = {s.id: s for s in seams}
    batches: list[list[Seam]] = []
    while unplaced:
        first = next(iter(unplaced))
        del unplaced[first]
        batch = [first]
        while len(batch) < batch_size:
            choice = _next_member(batch, unplaced, ranks, near, by_id)
            if choice is None:
                break
            del unplaced[choice]
            batch.append(choice)
        batches.append([by_id[seam_id] for seam_id in batch])
    return batches


def _next_member(
    batch: list[str], unplaced: dict[str, None], ranks: Mapping[str, int],
    near: Mapping[str, set[str]], by_id: Mapping[str, Seam],
) -> str | None:
    """The next seam for ``batch``: a related ready seam, else a ready seam related to none.

    ``unplaced`` is in scheduling order, whose ranks never decrease, so the candidates of
    the most urgent remaining rank are a prefix of it.
    """
    if not unplaced:
        return None
    most_urgent = ranks[next(iter(unplaced))]
    members = set(batch)
    loner: str | None = None
    for seam_id in unplaced:
        if ranks[seam_id] > most_urgent:
            break
        if any(d in unplaced for d in by_id[seam_id].depends_on):
            continue
        if near[seam_id] & members:
            return seam_id
        if loner is None and not any(other in unplaced for other in near[seam_id]):
            loner = seam_id
    return loner


def dispatch_order(seams: Sequence[Seam], durations: Mapping[str, float]) -> list[Seam]:
    """The order to dispatch seam jobs: priority first, then longest first.

    Within a priority, seams without a recorded duration come first, in the given order
    (they are new, so they usually need generating, the longest work), then seams with a
    recorded duration, longest first. A seam still never precedes one it depends on.
    """
    position = {s.id: i for i, s in enumerate(seams)}

    def key(seam: Seam) -> tuple[int, int, float, int]:
        known = seam.id in durations
        return (seam.priority.rank, int(known), -durations.get(seam.id, 0.0), position[seam.id])

    return _topological(sorted(seams, key=key))
