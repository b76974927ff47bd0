"""Which existing tests a generated seam is compared with: the plan's other seams on the same
component whose files exist in the project, and its own file under ``--regenerate``."""

from __future__ import annotations

from pathlib import Path

from services.coordinator.existing_tests import existing_tests, overlaps
from shared.contract import (
    CoverageSpec,
    ExecutionSpec,
    GeneratorSpec,
    Priority,
    ProjectSource,
    RunRequest,
    Seam,
    TestPlan,
)


def _seam(seam_id: str, *component: str) -> Seam:
    return Seam(id=seam_id, title=f"Seam {seam_id}", line=1, priority=Priority.P1,
                output_file=f"tests/test_{seam_id}.py", component=component)


def _request(tmp_path: Path, *seams: Seam, exist: tuple[str, ...] = (),
             regenerate: bool = False, coverage: CoverageSpec | None = None) -> RunRequest:
    for seam_id in exist:
        path = tmp_path / "tests" / f"test_{seam_id}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("def test_x():\n    assert True\n")
    return RunRequest(run_id="r1", plan=TestPlan(path="tests/TEST_PLAN.md", seams=seams),
                      project=ProjectSource(path=str(tmp_path)),
                      generator=GeneratorSpec(kind="command", target="agent",
                                              regenerate=regenerate),
                      execution=ExecutionSpec(coverage=coverage or CoverageSpec()))


def test_components_overlap_when_one_path_is_inside_the_other() -> None:
    assert overlaps(["calc/ops.py"], ["calc"])
    assert overlaps(["calc"], ["calc/ops.py", "shop"])
    assert overlaps(["."], ["calc/ops.py"])
    assert not overlaps(["calc/ops.py"], ["calc/io.py"])
    assert not overlaps(["calc"], ["calculator"])


def test_existing_files_of_seams_on_the_same_component_are_the_baseline(tmp_path: Path) -> None:
    target = _seam("new", "calc/ops.py")
    request = _request(tmp_path, _seam("a", "calc"), _seam("b", "shop"), target,
                       _seam("c", "calc/ops.py"), _seam("d", "calc/ops.py"), exist=("a", "b", "c"))

    assert existing_tests(request, target, tmp_path) == ("tests/test_a.py", "tests/test_c.py")


def test_a_seam_without_a_component_of_its_own_is_compared_on_the_default_source(
    tmp_path: Path
) -> None:
    target = _seam("new")
    request = _request(tmp_path, _seam("a", "calc/ops.py"), _seam("b"), target,
                       exist=("a", "b"), coverage=CoverageSpec(source=("calc",)))

    assert existing_tests(request, target, tmp_path) == ("tests/test_a.py", "tests/test_b.py")


def test_the_seams_own_file_counts_only_under_regenerate(tmp_path: Path) -> None:
    target = _seam("new", "calc")
    plain = _request(tmp_path, target, exist=("new",))
    again = _request(tmp_path, target, regenerate=True)

    assert existing_tests(plain, target, tmp_path) == ()
    assert existing_tests(again, target, tmp_path) == ("tests/test_new.py",)


def test_without_measured_coverage_there_is_no_baseline(tmp_path: Path) -> None:
    target = _seam("new", "calc")
    disabled = _request(tmp_path, _seam("a", "calc"), target, exist=("a",),
                        coverage=CoverageSpec(enabled=False))
    no_component = _seam("other")
    default = _request(tmp_path, _seam("a", "calc"), no_component)

    assert existing_tests(disabled, target, tmp_path) == ()
    assert existing_tests(default, no_component, tmp_path) == ()
