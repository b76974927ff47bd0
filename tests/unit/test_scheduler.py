"""Scheduling: selecting seams, grouping them into batches, and the dispatch order."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import pytest

from services.coordinator.scheduler import dispatch_order, make_batches, related, select
from shared.contract import Priority, Seam, TestPlan


def _seam(
    seam_id: str,
    priority: Priority = Priority.P1,
    *,
    title: str = "",
    scope: str = "",
    depends_on: Sequence[str] = (),
    services: Sequence[str] = (),
    deferred: bool = False,
) -> Seam:
    return Seam(
        id=seam_id, title=title or f"Component{seam_id} seam", line=1, priority=priority,
        deferred=deferred, scope=scope, depends_on=tuple(depends_on), services=tuple(services),
        output_file=f"tests/test_{seam_id}.py",
    )


def _ids(batches: Sequence[Sequence[Seam]]) -> list[list[str]]:
    return [[s.id for s in batch] for batch in batches]


def _plan(*seams: Seam) -> TestPlan:
    return TestPlan(path="TEST_PLAN.md", seams=seams)


PLAN = _plan(
    _seam("1", Priority.P2),
    _seam("2", Priority.P0),
    _seam("3", Priority.P1, deferred=True),
    _seam("4", Priority.P1, depends_on=["1"]),
    _seam("5", Priority.P0),
    _seam("6", Priority.P3),
)


def test_select_without_priorities_takes_every_seam_not_deferred() -> None:
    """Sorted by priority, then plan order."""
    assert [s.id for s in select(PLAN)] == ["2", "5", "4", "1", "6"]


def test_select_by_priorities_never_takes_deferred_seams() -> None:
    """Only the named priorities; a deferred P1 seam stays out."""
    assert [s.id for s in select(PLAN, [Priority.P1, Priority.P0])] == ["2", "5", "4"]


def test_select_does_not_pull_in_dependencies() -> None:
    """Seam 4 depends on seam 1 (P2); selecting P1 does not add seam 1."""
    assert [s.id for s in select(PLAN, {Priority.P1})] == ["4"]


def test_select_can_be_empty() -> None:
    """No seam of the requested priority."""
    assert select(_plan(_seam("1", Priority.P0)), [Priority.P3]) == []


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_batches_never_exceed_the_size_and_cover_every_seam_once(size: int) -> None:
    """Every seam lands in exactly one batch of at most ``size`` seams."""
    seams = [_seam(str(i), Priority(f"P{i % 4}")) for i in range(11)]
    batches = make_batches(seams, size)
    assert all(1 <= len(batch) <= size for batch in batches)
    assert sorted(s.id for batch in batches for s in batch) == sorted(s.id for s in seams)


def test_batch_size_must_be_positive() -> None:
    """A batch size of zero is a programming error."""
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        make_batches([_seam("1")], 0)


def test_empty_input_gives_no_batches() -> None:
    """Nothing selected, nothing to batch."""
    assert make_batches([], 3) == []


def test_related_seams_are_grouped() -> None:
    """Seams sharing a component (redis, postgres) share a batch."""
    seams = [
        _seam("1", title="Session Store → Redis"),
        _seam("2", title="Orders → Postgres"),
        _seam("3", title="Rate Limiter", scope="token bucket kept in Redis"),
        _seam("4", title="Invoices", services=["postgres"]),
    ]
    assert _ids(make_batches(seams, 3)) == [["1", "3"], ["2", "4"]]


def test_unrelated_loners_fill_free_places() -> None:
    """Seams related to nothing else fill a batch; a related pair is not split to fill."""
    seams = [
        _seam("1", title="Alpha → Redis"),
        _seam("2", title="Beta → Postgres"),
        _seam("3", title="Gamma → Redis"),
        _seam("4", title="Delta → Postgres"),
        _seam("5", title="Epsilon"),
    ]
    assert _ids(make_batches(seams, 3)) == [["1", "3", "5"], ["2", "4"]]


def test_dependency_edges_relate_seams() -> None:
    """A dependency is a relation even without shared words."""
    a = _seam("1", title="Alpha")
    b = _seam("2", title="Beta", depends_on=["1"])
    assert related(a, b)
    assert related(b, a)
    assert not related(a, _seam("3", title="Gamma"))


def test_generic_words_do_not_relate_seams() -> None:
    """"API", "service", "integration" are in every title; they relate nothing."""
    a = _seam("1", title="Users API → Service Integration")
    b = _seam("2", title="Orders API → Service Integration")
    assert not related(a, b)


def test_a_seam_never_lands_before_its_dependency() -> None:
    """Dependencies come in an earlier batch or earlier in the same batch."""
    seams = [
        _seam("3", Priority.P0, title="Checkout", depends_on=["2"]),
        _seam("2", Priority.P0, title="Cart", depends_on=["1"]),
        _seam("1", Priority.P0, title="Catalog"),
    ]
    for size in (1, 2, 3):
        flat = [s.id for batch in make_batches(seams, size) for s in batch]
        assert flat == ["1", "2", "3"]


def test_priority_order_is_kept_across_batches() -> None:
    """No P0 seam comes after a P1 seam, even when the P1 seam is related."""
    seams = [
        _seam("1", Priority.P0, title="Alpha → Redis"),
        _seam("2", Priority.P0, title="Beta"),
        _seam("3", Priority.P1, title="Gamma → Redis"),
        _seam("4", Priority.P0, title="Delta"),
        _seam("5", Priority.P0, title="Epsilon → Kafka"),
        _seam("6", Priority.P0, title="Zeta → Kafka"),
    ]
    for size, expected in ((2, [["1", "2"], ["4"], ["5", "6"], ["3"]]),
                           (3, [["1", "2", "4"], ["5", "6", "3"]])):
        batches = make_batches(seams, size)
        assert _ids(batches) == expected
        ranks = [max(s.priority.rank for s in batch) for batch in batches]
        assert ranks == sorted(ranks)


def test_a_dependency_of_a_p0_seam_moves_up_with_it() -> None:
    """A P2 seam that a P0 seam depends on is scheduled with the P0 seams."""
    seams = [
        _seam("1", Priority.P0, title="Checkout", depends_on=["3"]),
        _seam("2", Priority.P1, title="Search"),
        _seam("3", Priority.P2, title="Pricing"),
    ]
    assert _ids(make_batches(seams, 1)) == [["3"], ["1"], ["2"]]
    assert _ids(make_batches(seams, 3)) == [["3", "1", "2"]]


def test_dependencies_outside_the_selection_are_ignored() -> None:
    """Depending on an unselected seam neither blocks nor adds anything."""
    seams = [_seam("2", Priority.P0, depends_on=["99"]), _seam("3", Priority.P0)]
    assert _ids(make_batches(seams, 3)) == [["2", "3"]]


def test_batches_are_deterministic() -> None:
    """The same input always gives the same batches."""
    seams = [_seam(str(i), Priority(f"P{i % 3}"), title=f"T{i % 4} → Store{i % 2}")
             for i in range(12)]
    assert _ids(make_batches(seams, 3)) == _ids(make_batches(list(seams), 3))


def test_dispatch_order_is_priority_then_unknown_then_longest() -> None:
    """Unknown durations (new seams) go first within a priority, then longest first."""
    seams = [
        _seam("a", Priority.P1),
        _seam("b", Priority.P0),
        _seam("c", Priority.P1),
        _seam("d", Priority.P1),
        _seam("e", Priority.P0),
        _seam("f", Priority.P1),
    ]
    durations = {"a": 5.0, "b": 1.0, "c": 30.0, "e": 9.0}
    assert [s.id for s in dispatch_order(seams, durations)] == ["e", "b", "d", "f", "c", "a"]


def test_dispatch_order_keeps_given_order_for_equal_durations() -> None:
    """Ties keep the order the seams were given in."""
    seams = [_seam("x"), _seam("y"), _seam("z")]
    assert [s.id for s in dispatch_order(seams, {"x": 2.0, "y": 2.0, "z": 2.0})] == [
        "x", "y", "z",
    ]


def test_dispatch_order_never_puts_a_seam_before_its_dependency() -> None:
    """A long seam still waits for the seam it depends on."""
    seams = [_seam("1", Priority.P0, depends_on=["2"]), _seam("2", Priority.P0)]
    assert [s.id for s in dispatch_order(seams, {"1": 100.0, "2": 1.0})] == ["2", "1"]


def _effective(seams: Sequence[Seam]) -> dict[str, int]:
    by_id = {s.id: s for s in seams}

    def rank(seam_id: str) -> int:
        dependents = [s for s in seams if seam_id in s.depends_on]
        return min([by_id[seam_id].priority.rank, *(rank(d.id) for d in dependents)])

    return {s.id: rank(s.id) for s in seams}


@pytest.mark.parametrize("seed", range(30))
def test_batch_invariants_on_random_plans(seed: int) -> None:
    """Size, coverage, dependency order and priority order hold for any acyclic input."""
    rng = random.Random(seed)
    words = ["redis", "postgres", "kafka", "cache", "orders", "users", "billing", "search"]
    seams = []
    for i in range(rng.randint(1, 14)):
        earlier = [str(j) for j in range(i)]
        seams.append(_seam(
            str(i), Priority(f"P{rng.randrange(4)}"),
            title=" ".join(rng.sample(words, 2)),
            depends_on=rng.sample(earlier, min(len(earlier), rng.randrange(3))),
        ))
    rng.shuffle(seams)
    size = rng.randint(1, 4)

    batches = make_batches(seams, size)

    flat = [s.id for batch in batches for s in batch]
    assert sorted(flat) == sorted(s.id for s in seams)
    assert all(1 <= len(batch) <= size for batch in batches)
    where = {seam_id: index for index, seam_id in enumerate(flat)}
    assert all(where[dep] < where[s.id] for s in seams for dep in s.depends_on)
    effective = _effective(seams)
    batch_ranks = [[effective[s.id] for s in batch] for batch in batches]
    assert all(max(a) <= min(b) for a, b in itertools.pairwise(batch_ranks))
