"""The auditor service handler: AuditJob in, AuditReport out, pure; and its broker adapter."""

from __future__ import annotations

import pytest

from services.auditor.service import audit_handler, handle_audit_job, relevant_conftests
from shared.brokers.base import Delivery
from shared.contract import AuditJob, AuditPolicy, AuditReport
from shared.errors import RejectMessage
from shared.topology import AUDITOR_QUEUE, RESULTS_QUEUE

SOURCE = '''"""Cart seam."""
import pytest


@pytest.fixture
def db():
    return {}


def test_total(db):
    """The total is computed."""
    assert db == {}
'''
DB_FIXTURE = "import pytest\n\n@pytest.fixture\ndef db():\n    return None\n"


def job(**overrides: object) -> AuditJob:
    fields: dict[str, object] = {
        "job_id": "j1",
        "run_id": "r1",
        "seam_id": "3",
        "path": "tests/cart/test_cart_integration.py",
        "content": SOURCE,
        "attempt": 2,
    }
    fields.update(overrides)
    return AuditJob.model_validate(fields)


async def test_report_echoes_the_job_and_holds_its_findings() -> None:
    """Ids, path and attempt come back; a clean file has no findings."""
    report = await handle_audit_job(job())

    assert report == AuditReport(
        job_id="j1", run_id="r1", seam_id="3", path="tests/cart/test_cart_integration.py",
        attempt=2, findings=(),
    )  # fmt: skip


async def test_conftest_fixtures_of_parent_directories_apply() -> None:
    """A conftest above the file provides db, so redefining it blocks the seam."""
    report = await handle_audit_job(job(conftests={"tests/conftest.py": DB_FIXTURE}))

    assert [(f.rule, f.severity, f.line) for f in report.blocking] == [
        ("fixture-redefined", "error", 6)
    ]


async def test_conftests_elsewhere_do_not_apply() -> None:
    """A sibling directory's conftest is not the file's."""
    report = await handle_audit_job(job(conftests={"tests/orders/conftest.py": DB_FIXTURE}))

    assert report.findings == ()


async def test_job_policy_is_applied() -> None:
    """The policy travels with the job."""
    policy = AuditPolicy(options={"forbid_new_fixtures": True})

    report = await handle_audit_job(job(policy=policy))

    assert [f.rule for f in report.findings] == ["fixture-redefined"]


async def test_unparsable_content_is_reported_not_raised() -> None:
    """A broken generated file is a finding for the generator to fix."""
    report = await handle_audit_job(job(content="def test_(:\n"))

    assert [f.rule for f in report.blocking] == ["syntax-error"]


async def test_an_inapplicable_policy_dead_letters_the_job() -> None:
    """Unknown rule ids in a job's policy reject the message with the reason."""
    with pytest.raises(RejectMessage, match="invalid audit policy: unknown rule id 'x'"):
        await handle_audit_job(job(policy=AuditPolicy(rules={"x": "off"})))


def test_relevant_conftests_are_the_directory_and_its_parents() -> None:
    """Root, parent and own directory count; deeper and sibling ones do not."""
    conftests = {
        name: ""
        for name in ("conftest.py", "tests/conftest.py", "tests/cart/conftest.py",
                     "tests/cart/deep/conftest.py", "tests/orders/conftest.py",
                     "tests/helpers.py")
    }  # fmt: skip

    relevant = relevant_conftests("tests/cart/test_cart_integration.py", conftests)

    assert sorted(relevant) == ["conftest.py", "tests/cart/conftest.py", "tests/conftest.py"]


async def test_audit_handler_sends_the_report_to_the_results_queue() -> None:
    delivery = Delivery(message=job(), queue=AUDITOR_QUEUE, message_id="m1")

    (out,) = await audit_handler(delivery)

    assert out.queue == RESULTS_QUEUE
    assert isinstance(out.message, AuditReport)
    assert out.message.job_id == "j1"


async def test_audit_handler_dead_letters_what_is_not_an_audit_job() -> None:
    report = await handle_audit_job(job())
    delivery = Delivery(message=report, queue=AUDITOR_QUEUE, message_id="m1")

    with pytest.raises(RejectMessage, match="auditors take AuditJob"):
        await audit_handler(delivery)
