"""The auditor service's handler: an ``AuditJob`` in, an ``AuditReport`` out.

No I/O: ``audit_handler`` adapts it to the broker's handler shape. The job carries the file
content, the policy and the conftest files (project-relative path -> content); only conftest
files in the test file's directory or above count, as for pytest. ``file-naming`` checks
the policy's ``naming_pattern``: the job's path is already the seam's resolved output file,
and seam ids are often plan numbers, not names, so no name is derived from ``seam_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from services.auditor.engine import audit_source
from services.auditor.fixture_discovery import conftest_fixtures
from shared.brokers.base import Delivery, Outgoing
from shared.contract import AuditJob, AuditReport
from shared.errors import PolicyError, RejectMessage
from shared.topology import RESULTS_QUEUE


async def audit_handler(delivery: Delivery) -> list[Outgoing]:
    """Consume an auditor-queue delivery: audit the job, send the report to the results."""
    job = delivery.message
    if not isinstance(job, AuditJob):
        raise RejectMessage(f"auditors take AuditJob, not {type(job).__name__}")
    return [Outgoing(message=await handle_audit_job(job), queue=RESULTS_QUEUE)]


async def handle_audit_job(job: AuditJob) -> AuditReport:
    """Audit the job's file; a policy the auditor cannot apply dead-letters the job."""
    fixtures = conftest_fixtures(relevant_conftests(job.path, job.conftests))
    try:
        findings = audit_source(
            job.path, job.content, policy=job.policy, conftest_fixtures=fixtures
        )
    except PolicyError as e:
        raise RejectMessage(f"invalid audit policy: {e}") from e
    return AuditReport(
        job_id=job.job_id,
        run_id=job.run_id,
        seam_id=job.seam_id,
        path=job.path,
        attempt=job.attempt,
        findings=tuple(findings),
    )


def relevant_conftests(path: str, conftests: Mapping[str, str]) -> dict[str, str]:
    """The conftest files that apply to ``path``: in its directory or a parent of it."""
    directory = PurePosixPath(path).parent
    scope = {directory, *directory.parents}
    return {
        name: content
        for name, content in conftests.items()
        if PurePosixPath(name).name == "conftest.py" and PurePosixPath(name).parent in scope
    }
