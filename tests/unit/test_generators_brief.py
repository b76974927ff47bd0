"""The seam brief: sections, fixtures, contracts, feedback, policy and template overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.runner.generators.brief import (
    conftest_files,
    contract_files,
    fixture_names,
    render_brief,
)
from shared.contract import (
    AuditPolicy,
    ExecutionSpec,
    GeneratorSpec,
    Priority,
    ProjectSource,
    Seam,
    SeamJob,
)

OUTPUT = "tests/integration/test_cart_integration.py"
CONFTEST = '''
import pytest

@pytest.fixture
def db():
    yield "db"

@pytest.fixture(name="api_client", scope="session")
def _client():
    return "client"

def helper():
    return 1
'''


def make_job(
    attempt: int = 1,
    feedback: str = "",
    template: str = "",
    policy: AuditPolicy = AuditPolicy(),
    **fields: object,
) -> SeamJob:
    seam_fields: dict[str, object] = {
        "id": "cart", "title": "Cart → Pricing", "line": 12, "priority": Priority.P0,
        "scope": "Cart service calls the pricing engine over HTTP",
        "impact": "Wrong totals lose revenue",
        "strategy": "- add items\n- apply a discount",
        "success_criteria": "- total equals the sum\n- discount applied once",
        "output_file": OUTPUT, "expected_tests": 4,
        "body": "Contracts: `contracts/pricing.pyi`, nope.pyi",
    }
    seam_fields.update(fields)
    return SeamJob(
        job_id="job-1", run_id="run-1", seam=Seam.model_validate(seam_fields),
        phase="generate", attempt=attempt, project=ProjectSource(path="."),
        plan_path="docs/TEST_PLAN.md", execution=ExecutionSpec(repeats=5),
        generator=GeneratorSpec(kind="command", target="x", brief_template=template),
        policy=policy, feedback=feedback,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "tests" / "integration").mkdir(parents=True)
    (tmp_path / "tests" / "unit").mkdir()
    (tmp_path / "contracts").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "conftest.py").write_text("import pytest\n\n@pytest.fixture\ndef settings(): ...\n")
    (tmp_path / "tests" / "integration" / "conftest.py").write_text(CONFTEST)
    (tmp_path / "tests" / "unit" / "conftest.py").write_text("")
    (tmp_path / "contracts" / "pricing.pyi").write_text("def price(sku: str) -> int: ...\n")
    (tmp_path / "docs" / "cache.pyi").write_text("class Cache: ...\n")
    (tmp_path / "docs" / "TEST_PLAN.md").write_text("# Plan\nShared contract: cache.pyi\n")
    return tmp_path


def test_the_brief_has_every_section_a_lead_would_give(workspace: Path) -> None:
    brief = render_brief(make_job(), workspace, OUTPUT)

    for heading in (
        "# Brief: integration tests for seam cart — Cart → Pricing", "## Seam",
        "## Integration scope", "## Business impact", "## Test strategy", "## Success criteria",
        "## Expected test count", "## Public contracts", "## Fixtures", "## Output",
        "## Testing policy",
    ):
        assert f"\n{heading}\n" in f"\n{brief}"
    assert "Cart service calls the pricing engine over HTTP" in brief
    assert "Wrong totals lose revenue" in brief
    assert "- discount applied once" in brief
    assert "4 tests." in brief
    assert "`docs/TEST_PLAN.md`, line 12" in brief
    assert f"Write exactly one file: `{OUTPUT}`" in brief
    assert "run 5 times in random order" in " ".join(brief.split())
    assert "$SEAMQ_OUTPUT_FILE" in brief
    assert "## Feedback from the previous attempt" not in brief


def test_the_brief_lists_the_conftest_files_and_their_fixtures(workspace: Path) -> None:
    brief = render_brief(make_job(), workspace, OUTPUT)

    assert "### `conftest.py`: `settings`" in brief
    assert "### `tests/integration/conftest.py`: `db`, `api_client`" in brief
    assert "tests/unit/conftest.py" not in brief
    assert "Use them as they are; do not create or modify fixtures." in brief


def test_the_brief_includes_the_contracts_the_seam_and_plan_name(workspace: Path) -> None:
    brief = render_brief(make_job(), workspace, OUTPUT)

    assert "### `contracts/pricing.pyi`" in brief
    assert "def price(sku: str) -> int: ..." in brief
    assert "### `docs/cache.pyi`" in brief


def test_the_second_attempt_carries_the_feedback(workspace: Path) -> None:
    feedback = "tests/x.py:3 mock-usage: unittest.mock is forbidden"

    brief = render_brief(make_job(attempt=2, feedback=feedback), workspace, OUTPUT)

    section = brief.split("## Feedback from the previous attempt\n", 1)[1]
    assert "Attempt 1 was not accepted" in section
    assert feedback in section
    assert "This is attempt 2 of 3." in brief


def test_the_policy_states_the_rules_and_this_runs_settings(workspace: Path) -> None:
    policy = AuditPolicy(
        rules={"sleep-wait": "off", "print-call": "error"},
        options={"forbidden_mocks": ["unittest.mock", "responses"]},
    )

    brief = render_brief(make_job(policy=policy), workspace, OUTPUT)

    for phrase in ("No mocks", "docstring", "Real assertions", "Skips carry a reason",
                   "test_<seam>_integration.py", "Fixtures as they are"):
        assert phrase in brief
    assert "- rule `print-call`: error" in brief
    assert "- rule `sleep-wait`: off" in brief
    assert '- option `forbidden_mocks`: `["unittest.mock", "responses"]`' in brief


def test_optional_sections_appear_only_when_the_plan_states_them(workspace: Path) -> None:
    plain = render_brief(make_job(), workspace, OUTPUT)
    risky = render_brief(make_job(risk="Stale prices", services=("redis",)), workspace, OUTPUT)

    assert "## Integration risk" not in plain
    assert "## Integration risk\nStale prices" in risky
    assert "## Real services\nredis" in risky


def test_a_template_in_the_generator_spec_overrides_the_default(workspace: Path) -> None:
    template = "Seam $seam_id costs $$5; write $output_file; fixtures:\n$fixtures\n$unknown"

    brief = render_brief(make_job(template=template), workspace, OUTPUT)

    assert brief.startswith(f"Seam cart costs $5; write {OUTPUT}; fixtures:")
    assert "`db`, `api_client`" in brief
    assert "$unknown" in brief
    assert "## Scope" not in brief


def test_a_template_argument_wins_and_feedback_is_appended_when_missing(
    workspace: Path,
) -> None:
    job = make_job(attempt=3, feedback="still failing", template="ignored")

    brief = render_brief(job, workspace, OUTPUT, template="Only $seam_title")

    assert brief.startswith("Only Cart → Pricing\n")
    assert brief.rstrip().endswith("still failing")


def test_conftest_files_run_from_the_root_down_to_the_output_directory(workspace: Path) -> None:
    files = conftest_files(workspace, workspace / OUTPUT)

    assert list(files) == ["conftest.py", "tests/integration/conftest.py"]
    assert files["tests/integration/conftest.py"] == CONFTEST


def test_fixture_names_reads_decorators_and_explicit_names() -> None:
    assert fixture_names(CONFTEST) == ["db", "api_client"]
    assert fixture_names("from pytest import fixture\n@fixture()\nasync def loop(): ...") == [
        "loop"
    ]


def test_fixture_names_of_a_broken_conftest_is_empty() -> None:
    assert fixture_names("def broken(:\n") == []


def test_contract_files_keeps_only_files_inside_the_workspace(workspace: Path) -> None:
    (workspace.parent / "outside.pyi").write_text("")
    seam = make_job(body="see contracts/pricing.pyi, ../outside.pyi and missing.pyi").seam

    assert contract_files(workspace, seam, "docs/TEST_PLAN.md") == [
        "contracts/pricing.pyi", "docs/cache.pyi",
    ]
