"""The one plan reader: a ``TEST_PLAN.md`` in, a validated ``TestPlan`` out.

Modules, in reading order: ``markdown`` (lines, headings, code blocks), ``headings`` (which
headings start a seam), ``fields`` (bold labels and their values), ``priority``, ``seam``
(one seam's fields), ``outputs`` (which test file a seam owns), ``dependencies``, and
``reader`` (the whole plan, with ``PLAN:LINE`` errors). The grammar is in
docs/architecture.md.
"""

from shared.plan.reader import read_plan, read_plan_text

__all__ = ["read_plan", "read_plan_text"]
