"""Plans the reader refuses: each is a PlanError reading ``PATH:LINE: message``."""

from __future__ import annotations

import contextlib
import os
import random
import textwrap
import time
from pathlib import Path

import pytest

from shared.errors import PlanError
from shared.plan import reader as plan_module
from shared.plan.reader import read_plan

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


def _write(tmp_path: Path, text: str, name: str = "TEST_PLAN.md") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def _error(plan_path: Path, root: Path | None = None) -> str:
    with pytest.raises(PlanError) as caught:
        read_plan(plan_path, root)
    assert caught.value.exit_code == 4
    assert str(caught.value) == f"{caught.value.path}:{caught.value.line}: {caught.value.message}"
    return str(caught.value)


def test_missing_file_is_reported_at_line_one(tmp_path: Path) -> None:
    """A plan path that does not exist."""
    path = tmp_path / "NOPE.md"
    assert _error(path) == f"{path}:1: plan file not found"


def test_directory_is_not_a_plan(tmp_path: Path) -> None:
    """A directory given as the plan."""
    assert _error(tmp_path) == f"{tmp_path}:1: is a directory, not a plan file"


def test_binary_file_is_not_a_plan(tmp_path: Path) -> None:
    """A file with NUL bytes is binary."""
    path = tmp_path / "plan.md"
    path.write_bytes(b"## SEAM 1: A\x00\x01\x02")
    assert _error(path) == f"{path}:1: binary file, not a Markdown plan"


def test_invalid_utf8_is_reported_at_its_line(tmp_path: Path) -> None:
    """The line of the first byte that is not UTF-8."""
    path = tmp_path / "plan.md"
    path.write_bytes(b"# Plan\n\n## SEAM 1: caf\xe9 latin-1\n")
    assert _error(path) == f"{path}:3: not valid UTF-8 (byte 0xe9)"


def test_special_file_is_not_a_plan(tmp_path: Path) -> None:
    """A FIFO (or a device) is refused without being opened."""
    path = tmp_path / "fifo.md"
    os.mkfifo(path)
    assert _error(path) == f"{path}:1: is not a regular file"


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plans are bounded in size."""
    monkeypatch.setattr(plan_module, "MAX_PLAN_BYTES", 10)
    path = _write(tmp_path, "## SEAM 1: Big enough\n")
    assert _error(path) == f"{path}:1: plan is larger than 10 bytes"


def test_empty_file_has_no_seam(tmp_path: Path) -> None:
    """An empty plan."""
    path = _write(tmp_path, "")
    assert _error(path) == (f"{path}:1: no seam found (a seam starts at a level 2-4 heading "
                            "such as '### SEAM 1: Title')")


def test_headings_that_only_mention_seams_are_not_seams(tmp_path: Path) -> None:
    """Longer phrases, and SEAM headings at levels 1 and 5, start no seam."""
    path = _write(tmp_path, """
        # SEAM 1: Level one is the plan title
        ## Integration Seams Discovered
        ## Seam Summary
        ### Testing the seams
        ### Seams
        ##### SEAM 2: Level five is too deep
        ```
        ## SEAM 3: inside a code block
        ```
    """)
    assert _error(path).startswith(f"{path}:1: no seam found")


def test_two_seams_naming_one_file_is_a_notice_not_an_error(tmp_path: Path) -> None:
    """Plans put several seams in one file on purpose: a warning at the second seam."""
    path = _write(tmp_path, """
        ## SEAM 1: Alpha
        **Output File**: `tests/test_shared.py`

        ## SEAM 2: Beta
        Priority: P1
        **Output File**: tests/./test_shared.py
    """)
    plan = read_plan(path)
    assert {s.output_file for s in plan.seams} == {"tests/test_shared.py"}
    assert (4, "seams 1, 2 share tests/test_shared.py") in [
        (w.line, w.message.split(":")[0]) for w in plan.warnings]


def test_same_title_gives_a_duplicate_convention_file(tmp_path: Path) -> None:
    """Two numbered seams with one title resolve to the same conventional file."""
    path = _write(tmp_path, """
        ### SEAM 1: Cache
        ### SEAM 2: Cache
    """)
    assert _error(path) == (f"{path}:2: duplicate output file test_cache_integration.py: "
                            "seam 2 (Cache) and seam 1 (Cache); name one of them with an "
                            "Output File field")


def test_unknown_dependency_is_reported_at_the_seam(tmp_path: Path) -> None:
    """A dependency that names no seam."""
    path = _write(tmp_path, """
        ## SEAM 1: Alpha
        ## SEAM 2: Beta
        - **Depends On**: SEAM 1, Gamma Service (not written yet)
    """)
    assert _error(path) == f"{path}:2: seam 2 depends on unknown seam 'Gamma Service'"


def test_unknown_seam_number_is_an_unknown_dependency(tmp_path: Path) -> None:
    """``SEAM 7`` when the plan has no seam 7."""
    path = _write(tmp_path, """
        ## SEAM 1: Alpha
        **Depends On**: SEAM 7
    """)
    assert _error(path) == f"{path}:1: seam 1 depends on unknown seam 'SEAM 7'"


def test_dependency_cycle_shows_the_cycle(tmp_path: Path) -> None:
    """a -> b -> a, reported at the cycle's first seam."""
    path = _write(tmp_path, """
        # Plan
        ## SEAM 1: Alpha
        Depends On: SEAM 3
        ## SEAM 2: Beta
        Depends On: SEAM 1
        ## SEAM 3: Gamma
        Depends On: Beta
    """)
    assert _error(path) == f"{path}:2: dependency cycle: 1 -> 3 -> 2 -> 1"


def test_seam_depending_on_itself_is_a_cycle(tmp_path: Path) -> None:
    """A self-dependency, by title."""
    path = _write(tmp_path, """
        ### Seam: Orders API
        - Depends On: orders api
    """)
    assert _error(path) == f"{path}:1: dependency cycle: orders-api -> orders-api"


def test_duplicate_seam_numbers(tmp_path: Path) -> None:
    """Two seams numbered 2."""
    path = _write(tmp_path, """
        ## P0
        ### SEAM 2: Alpha
        ## P1
        #### SEAM 2: Beta
    """)
    assert _error(path) == (f"{path}:4: duplicate seam id '2': 'Beta' repeats 'Alpha' "
                            "(line 2)")


def test_duplicate_titles_of_unnumbered_seams(tmp_path: Path) -> None:
    """Unnumbered seams take their id from the title, which must then be unique."""
    path = _write(tmp_path, """
        ### Seam: User API → DB
        ### Seam: User API -> DB
    """)
    assert _error(path) == (f"{path}:2: duplicate seam id 'user-api-db': 'User API -> DB' "
                            "repeats 'User API → DB' (line 1)")


def test_output_file_outside_the_project_root(tmp_path: Path) -> None:
    """A plan may not send a test file out of the project."""
    path = _write(tmp_path, """
        ## SEAM 1: Escape
        **Output File**: ../../elsewhere/test_escape.py
    """)
    assert _error(path) == (f"{path}:1: seam 1: output file ../../elsewhere/test_escape.py "
                            "is outside the project root")


def test_plan_outside_the_project_root(tmp_path: Path) -> None:
    """The plan itself must sit inside the project root."""
    (tmp_path / "project").mkdir()
    path = _write(tmp_path, "## SEAM 1: Alpha\n")
    root = (tmp_path / "project").resolve()
    assert _error(path, root) == f"{path}:1: plan is outside the project root {root}"


TRICKY_LINES = [
    "**Test Strategy**", "| Priority | P0 |", "| Output File | |", "**Priority**:", "```",
    "~~~~", "    ```", "## SEAM 1: Again", "### Seam: ", "#### SEAM 99", "**Depends On**: 1, 2",
    "Depends On: SEAM 1 and", "**Output File**: ../../../outside/test_x.py", "- Services: ,,",
    "Expected test count: 999999999", "**CRITICAL**", "## Deferred", "# Title", "\ufeff",
    "- **Scope**:", "\t- nested", "**Output File**: test_dup.py", "---",
]


def _mutations(text: str, rng: random.Random) -> list[str]:
    lines = text.splitlines()
    out = []
    for _ in range(40):
        mutated = list(lines)
        for _ in range(rng.randint(1, 8)):
            choice = rng.randrange(4)
            index = rng.randrange(len(mutated) or 1)
            if choice == 0 and mutated:
                del mutated[index]
            elif choice == 1:
                mutated.insert(index, rng.choice([*lines, *TRICKY_LINES]))
            elif choice == 2 and mutated:
                line = mutated[index]
                cut = rng.randrange(len(line) + 1)
                mutated[index] = line[:cut] + rng.choice(["```", "#", "**", ":", "|", "\t"]) + \
                    line[cut:]
            else:
                rng.shuffle(mutated)
        out.append("\n".join(mutated))
    return out


@pytest.mark.parametrize("case", sorted(p.name for p in CORPUS.iterdir() if p.is_dir()))
def test_mangled_corpus_plans_never_raise_anything_but_plan_error(
    case: str, tmp_path: Path
) -> None:
    """Shuffled, cut and garbled plans give a plan or a PlanError, never a traceback."""
    source = next((CORPUS / case).rglob("TEST_PLAN.md")).read_text(encoding="utf-8")
    rng = random.Random(case)
    refused: list[tuple[Path, str]] = []
    for number, text in enumerate(_mutations(source, rng)):
        path = tmp_path / f"plan{number}.md"
        path.write_text(text, encoding="utf-8")
        try:
            plan = read_plan(path)
        except PlanError as e:
            refused.append((path, str(e)))
        else:
            assert plan.seams
    assert all(message.startswith(f"{path}:") for path, message in refused)


N = 50_000
PATHOLOGICAL = {
    "symbols in a heading": "### " + "!" * N + "x\n",
    "spaces in a heading": "### a" + " " * N + "b\n",
    "closing hashes": "### a" + " #" * N + "\n",
    "long output word": "**Output File**: " + "a" * N + "\n",
    "dotted output": "**Output File**: " + "a." * N + "\n",
    "slashes": "a/" * N + "\n",
    "spaces in dependencies": "**Depends On**: 1" + " " * N + "(y\n",
    "parentheses in services": "**Services**: " + " (" * N + "\n",
    "expected words": "expected " * N + "\n",
    "title tags": "## SEAM 2: " + "(P0" * N + "\n",
    "bold markers": "**" * N + "\n",
    "table bars": "|" * N + "\n",
    "long fence": "`" * N + "\n",
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_lines_are_read_in_linear_time(tmp_path: Path, name: str) -> None:
    """Huge runs of one character never make a pattern backtrack quadratically."""
    path = tmp_path / "plan.md"
    path.write_text("## SEAM 1: Alpha\n" + PATHOLOGICAL[name], encoding="utf-8")
    started = time.perf_counter()
    with contextlib.suppress(PlanError):
        read_plan(path)
    assert time.perf_counter() - started < 5


def test_symlink_is_not_followed(tmp_path: Path) -> None:
    """A plan that is a link (to /dev/zero, say) is refused, not read without end."""
    path = tmp_path / "plan.md"
    path.symlink_to("/dev/zero")
    assert _error(path) == f"{path}:1: is a symbolic link; name the plan file itself"
