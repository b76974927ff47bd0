"""Name the polluter and prove it: after a validation conflict, bisect the tests that ran
before the victim down to the smallest set that still makes it fail (as
detect-test-pollution does), then prove a single polluter three ways: the victim passes
alone, polluter -> victim fails, victim -> polluter passes.

Each probe is one pytest process running exactly the tests given, in the order given.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence

from shared.contract import Conflict
from shared.status import ProcessVerdict

# A probe: run these node ids in this order; the victim's outcome, or None (no verdict).
Probe = Callable[[Sequence[str]], "str | None"]
MAX_VICTIMS = 3
MAX_LISTED = 10


def _fails(probe: Probe, order: Sequence[str]) -> bool:
    return probe(order) in ("failed", "error")


def narrow(probe: Probe, before: Sequence[str], victim: str) -> list[str]:
    """The smallest run of ``before`` found by halving that still makes ``victim`` fail.

    Stops when neither half alone does: the victim then needs tests from both.
    """
    candidates = list(before)
    while len(candidates) > 1:
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        if _fails(probe, [*first, victim]):
            candidates = first
        elif _fails(probe, [*second, victim]):
            candidates = second
        else:
            break
    return candidates


def reproduce_command(order: Sequence[str]) -> str:
    """A plain pytest command that runs ``order`` as given (from the project root)."""
    quoted = " ".join(shlex.quote(nodeid) for nodeid in order)
    return ("python -m pytest -p no:randomly -p no:xdist -p no:cacheprovider "
            f"-p no:rerunfailures {quoted}")


def find_conflict(probe: Probe, victim: str, failing: ProcessVerdict) -> Conflict:
    """Narrow and prove what makes ``victim`` fail after the order of ``failing``."""
    before = failing.order[: failing.order.index(victim)] if victim in failing.order else ()
    message = failing.cases[victim].message if victim in failing.cases else ""
    if not before or not _fails(probe, [*before, victim]):
        return Conflict(victim=victim, seed=failing.seed, message=message,
                        evidence="could not be reproduced by running the tests before it "
                                 "again in the same order (order-independent flakiness?)")
    polluters = narrow(probe, before, victim)
    if len(polluters) > 1:
        shown = ", ".join(polluters[:MAX_LISTED])
        more = f" and {len(polluters) - MAX_LISTED} more" if len(polluters) > MAX_LISTED else ""
        return Conflict(victim=victim, polluters=tuple(polluters[:MAX_LISTED]),
                        seed=failing.seed, message=message,
                        reproduce=reproduce_command([*polluters, victim]),
                        evidence=f"no single test makes it fail: it fails only after "
                                 f"{len(polluters)} tests together ({shown}{more})")
    polluter = polluters[0]
    alone, after, reverse = probe([victim]), probe([polluter, victim]), probe(
        [victim, polluter])
    proven = alone == "passed" and after in ("failed", "error") and reverse == "passed"
    evidence = (f"{victim} alone: {alone}; {polluter} -> {victim}: {after}; "
                f"{victim} -> {polluter}: {reverse}")
    return Conflict(victim=victim, polluters=(polluter,), proven=proven, seed=failing.seed,
                    evidence=evidence, message=message,
                    reproduce=reproduce_command([polluter, victim]))


def victims(verdicts: Sequence[ProcessVerdict]) -> list[tuple[str, ProcessVerdict]]:
    """Each failing test with the first process it failed in (at most ``MAX_VICTIMS``)."""
    found: dict[str, ProcessVerdict] = {}
    for verdict in verdicts:
        for nodeid, case in verdict.cases.items():
            if case.outcome in ("failed", "error") and nodeid not in found:
                found[nodeid] = verdict
    return list(found.items())[:MAX_VICTIMS]
