"""Existing test files beside a plan, matched to seams by what the files say.

A candidate is read, not run: its module docstring, its first comment block and its test
class names are scored against the seam's title and scope, its file name counting less. A
file whose docstring names a seam ("SEAM 3", or the seam's full title) belongs to that seam
and to no other. A file that a sibling plan in the same folder names is that plan's, not a
candidate. Each file goes to at most one seam; the best-scoring pairs are settled first.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shared.plan.file_lists import named_files
from shared.plan.markdown import scan

MAX_CANDIDATE_BYTES = 256 * 1024
MAX_SIBLING_BYTES = 2 * 1024 * 1024
_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEAM_NUMBER = re.compile(r"\bseam\s*#?\s*(\d+)\b", re.IGNORECASE)
_SEAM_HEADING = re.compile(r"^#{2,4}\s.*\bseam\b", re.IGNORECASE | re.MULTILINE)
_INSIGNIFICANT = frozenset({
    "test", "tests", "integration", "and", "the", "for", "with", "from", "into", "via", "seam",
    "seams", "this", "that", "module", "suite", "file", "testing",
})
DOC_WEIGHT, CLASS_WEIGHT, NAME_WEIGHT = 1.0, 0.8, 0.6


def tokens(text: str) -> set[str]:
    """Significant lowercase words (3+ letters, crude plural folding)."""
    words = _WORD.findall(_CAMEL.sub(" ", text).lower())
    significant = {w for w in words if len(w) >= 3 and w not in _INSIGNIFICANT}
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in significant}


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Candidate:
    """What an existing test file says about itself."""

    name: str
    docstring: str
    classes: tuple[str, ...]

    @property
    def seam_numbers(self) -> set[str]:
        return {str(int(n)) for n in _SEAM_NUMBER.findall(self.docstring)}


def _leading_comments(text: str) -> str:
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            out.append(stripped.lstrip("#").strip())
        elif stripped and not stripped.startswith(("from ", "import ")):
            break
    return " ".join(out)


def read_candidate(path: Path) -> Candidate:
    """Docstring (or first comment block) and class names of a test file; empty if unreadable."""
    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_CANDIDATE_BYTES).decode("utf-8", "replace")
        tree = ast.parse(text)
    except (OSError, SyntaxError, ValueError):
        return Candidate(path.name, "", ())
    doc = ast.get_docstring(tree) or ""
    comments = _leading_comments(text)
    classes = tuple(n.name for n in tree.body if isinstance(n, ast.ClassDef))
    return Candidate(path.name, f"{doc} {comments}".strip(), classes)


def score(title: str, scope: str, candidate: Candidate) -> float:
    """How well a file's own words match a seam, 0..1 (1: its docstring states the title)."""
    if len(_normal(title)) >= 8 and _normal(title) in _normal(candidate.docstring):
        return 1.0
    wanted = tokens(title)
    if not wanted:
        return 0.0
    doc, classes = tokens(candidate.docstring), tokens(" ".join(candidate.classes))
    name = tokens(candidate.name.removesuffix(".py").replace("_", " "))
    best = {w: max(DOC_WEIGHT * (w in doc), CLASS_WEIGHT * (w in classes),
                   NAME_WEIGHT * (w in name)) for w in wanted}
    title_part = sum(best.values()) / len(wanted)
    scope_words = tokens(scope) - wanted
    scope_part = len(scope_words & (doc | classes)) / len(scope_words) if scope_words else 0.0
    return round(min(0.99, 0.85 * title_part + 0.15 * scope_part), 2)


def sibling_claims(plan_file: Path) -> set[str]:
    """File names that other plans in the plan's folder name: theirs, not candidates."""
    claimed: set[str] = set()
    try:
        siblings = [e for e in os.scandir(plan_file.parent)
                    if e.name.lower().endswith(".md") and e.is_file()
                    and Path(e.path).resolve() != plan_file]
    except OSError:
        return claimed
    for entry in siblings:
        try:
            with open(entry.path, "rb") as handle:
                text = handle.read(MAX_SIBLING_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        if _SEAM_HEADING.search(text):
            claimed |= named_files(scan(text).lines)
    return claimed


@dataclass(frozen=True)
class Match:
    name: str
    score: float
    how: str


def assign(seams: Mapping[str, tuple[str, str]], candidates: Mapping[str, Candidate],
           threshold: float) -> dict[str, Match]:
    """Seam id -> its file among ``candidates``; ``seams`` maps id -> (title, scope).

    Docstrings that name a seam settle first; then the best-scoring pairs at or above
    ``threshold``; then a seam left without a file takes one from a seam that can move to
    a free file of its own (so one contested file does not leave a seam unmatched).
    """
    matched: dict[str, Match] = {}
    free = dict(candidates)
    for name, candidate in candidates.items():
        owners = [sid for sid in candidate.seam_numbers if sid in seams]
        if len(owners) == 1:
            del free[name]
            if owners[0] not in matched:
                matched[owners[0]] = Match(name, 1.0, f"its docstring names seam {owners[0]}")
    scores = {
        (seam_id, name): s
        for seam_id, (title, scope) in seams.items() if seam_id not in matched
        for name, candidate in free.items()
        if (s := score(title, scope, candidate)) >= threshold
    }
    order = {seam_id: i for i, seam_id in enumerate(seams)}
    taken: set[str] = set()
    for (seam_id, name), s in sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0][0]],
                                                                     kv[0][1])):
        if seam_id not in matched and name not in taken:
            taken.add(name)
            matched[seam_id] = _match(name, s)
    _augment(matched, scores, set(free) - taken)
    return matched


def _match(name: str, s: float) -> Match:
    what = "docstring states the title" if s >= 1.0 else "its words match"
    return Match(name, s, f"{what} (score {s:.2f})")


def _augment(matched: dict[str, Match], scores: Mapping[tuple[str, str], float],
             free: set[str]) -> None:
    """Give unmatched seams a file by moving its holder to a free file it also matches."""
    unmatched = sorted({seam for seam, _ in scores} - set(matched))
    for seam_id in unmatched:
        for holder, held in list(matched.items()):
            if (seam_id, held.name) not in scores:
                continue
            moves = [(scores[(holder, f)], f) for f in free if (holder, f) in scores]
            if moves:
                s, target = max(moves)
                free.discard(target)
                matched[holder] = _match(target, s)
                matched[seam_id] = _match(held.name, scores[(seam_id, held.name)])
                break
