"""The plan as the plan reader found it: seams, their fields, and the reader's warnings."""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import Field

from shared.contract.base import Id, Model, Name, RelPath, Text
from shared.contract.statuses import Priority, PriorityLabel

OutputSource: TypeAlias = Literal["field", "body", "match", "convention"]


class PlanWarning(Model):
    line: int
    message: Name


class Seam(Model):
    """One seam of a plan, as the plan reader found it."""

    id: Id
    title: Name
    line: int = Field(ge=0)
    priority: Priority
    deferred: bool = False
    priority_source: Literal["seam", "section", "default"] = "seam"
    section: Name = ""
    scope: Text = ""
    impact: Text = ""
    strategy: Text = ""
    success_criteria: Text = ""
    risk: Text = ""
    notes: Text = ""
    output_file: RelPath
    output_source: OutputSource = "convention"
    output_reason: Name = ""
    expected_tests: int | None = Field(default=None, ge=0)
    depends_on: tuple[Id, ...] = ()
    services: tuple[Id, ...] = ()
    # The code the seam is about: project-relative files or folders (``Component`` field,
    # else modules its scope names); empty: the run's coverage source, if any.
    component: tuple[RelPath, ...] = Field(default=(), max_length=50)
    body: Text = ""

    @property
    def label(self) -> PriorityLabel:
        """The priority as reports show it: ``P0``..``P3`` or ``deferred``."""
        return "deferred" if self.deferred else self.priority.label


class TestPlan(Model):
    """A parsed plan. ``path`` and ``output_file`` paths are relative to the project root."""

    __test__ = False  # keep pytest from collecting this class

    path: RelPath
    title: Name = ""
    seams: tuple[Seam, ...] = Field(min_length=1, max_length=2_000)
    warnings: tuple[PlanWarning, ...] = ()
