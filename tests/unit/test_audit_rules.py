"""Rule engine behaviour beyond the corpus: catalog, policy severities, ignores, edge cases."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from services.auditor.engine import audit_source
from services.auditor.rules import RULES
from shared.contract import AuditPolicy
from shared.errors import PolicyError

CATALOG = (
    "file-naming", "missing-docstring", "mock-usage", "fixture-redefined", "no-assertion",
    "vacuous-assertion", "empty-test", "swallowed-exception", "sleep-wait",
    "skip-without-reason", "async-no-timeout", "print-call", "verdict-tampering",
    "conditional-logic", "generator-placeholder",
)  # fmt: skip
BLOCKING = {
    "mock-usage", "verdict-tampering", "no-assertion", "empty-test", "generator-placeholder",
    "vacuous-assertion", "swallowed-exception", "fixture-redefined", "syntax-error",
}  # fmt: skip
PATH = "tests/test_cart_integration.py"


def audit(source: str, **kwargs: Any) -> list[tuple[int, int, str, str]]:
    findings = audit_source(PATH, textwrap.dedent(source), **kwargs)
    return [(f.line, f.col, f.rule, f.severity) for f in findings]


def rules_of(source: str, **kwargs: Any) -> list[str]:
    return [rule for _, _, rule, _ in audit(source, **kwargs)]


def test_catalog_holds_the_design_ids_with_help_text() -> None:
    """Every id of DESIGN.md is in the catalog, with a message and help text."""
    assert tuple(RULES)[: len(CATALOG)] == CATALOG
    assert all(rule.message and len(rule.help) > 80 for rule in RULES.values())


def test_only_untrustworthy_tests_block_by_default() -> None:
    """Error severity is reserved for what makes a result untrustworthy."""
    errors = {rule_id for rule_id, rule in RULES.items() if rule.severity == "error"}

    assert errors == BLOCKING


def test_findings_carry_one_based_line_and_column_and_are_sorted() -> None:
    """Positions are 1-based like flake8's; the list is ordered by position."""
    source = '''\
        """Cart."""
        def test_total():
            """Total."""
            print(1)
            assert True
        '''

    assert audit(source) == [
        (4, 5, "print-call", "warning"),
        (5, 5, "vacuous-assertion", "error"),
    ]


def test_an_unparsable_file_is_a_finding() -> None:
    """A syntax error is reported at its position instead of raising."""
    assert audit("def test_x(:\n    pass\n") == [(1, 12, "syntax-error", "error")]


def test_null_bytes_are_a_finding_not_a_crash() -> None:
    """Source that the compiler refuses outright is still just a finding."""
    assert rules_of("x = 1\0\n") == ["syntax-error"]


def test_policy_changes_severities_and_turns_rules_off() -> None:
    """Rules are re-levelled or dropped by the policy."""
    source = '''\
        """Cart."""
        def test_total():
            """Total."""
            print(1)
            assert True
        '''
    policy = AuditPolicy(rules={"print-call": "error", "vacuous-assertion": "off"})

    assert audit(source, policy=policy) == [(4, 5, "print-call", "error")]


def test_a_disabled_policy_audits_nothing() -> None:
    """enabled = false turns the audit off."""
    assert audit("def test_x(:\n", policy=AuditPolicy(enabled=False)) == []


def test_unknown_rule_in_policy_is_a_policy_error() -> None:
    """Policies reaching the engine directly are validated too."""
    with pytest.raises(PolicyError, match=r"unknown rule id 'mock-usge'.*mock-usage"):
        audit_source(PATH, "", policy=AuditPolicy(rules={"mock-usge": "off"}))


def test_inline_ignore_drops_only_the_named_rules_on_that_line() -> None:
    """``# seamq: ignore[rule]`` is precise: other rules and lines still report."""
    source = '''\
        """Cart."""
        import time
        def test_total():
            """Total."""
            time.sleep(1); print(2)  # seamq: ignore[sleep-wait]  justified: rate limit
            time.sleep(1)
            assert total() == 3
        '''

    assert audit(source) == [(5, 20, "print-call", "warning"), (6, 5, "sleep-wait", "warning")]


def test_ignore_file_drops_a_rule_everywhere() -> None:
    """``# seamq: ignore-file[rule, rule]`` applies to the whole file."""
    source = '''\
        """Cart."""  # seamq: ignore-file[file-naming, print-call]
        def test_total():
            """Total."""
            print(1)
            assert total() == 3
        '''

    assert audit_source("tests/cart.py", textwrap.dedent(source)) == []


def test_assert_helpers_option_names_more_oracles() -> None:
    """A project's own helper names count as assertions when the policy lists them."""
    source = '''\
        """Cart."""
        from shop.testing import cart_matches
        def test_total(api):
            """Total."""
            cart_matches(api.cart(), total=3)
        '''
    policy = AuditPolicy(options={"assert_helpers": ["cart_match*"]})

    assert rules_of(source) == ["no-assertion"]
    assert rules_of(source, policy=policy) == []


def test_plan_names_decide_file_naming() -> None:
    """Names a plan expects override the naming pattern, both ways."""
    source = '"""Cart."""\n'

    assert rules_of(source, expected_names={"test_cart_integration.py"}) == []
    assert rules_of(source, expected_names={"test_checkout_integration.py"}) == ["file-naming"]


def test_a_module_without_tests_needs_no_docstring() -> None:
    """Only modules with tests are specifications."""
    assert rules_of("import pytest\n") == []


def test_pytest_collection_rules_decide_what_is_a_test() -> None:
    """``__test__ = False`` classes and fixtures named test_* are not tests."""
    source = '''\
        """Cart."""
        import pytest
        class TestHelpers:
            __test__ = False
            def test_like(self):
                pass
        @pytest.fixture
        def test_data():
            return 1
        '''

    assert rules_of(source) == []


def test_inherited_suite_methods_are_tests() -> None:
    """Test methods of an in-module base class run in its Test* subclasses."""
    source = '''\
        """Cart."""
        class CartSuite:
            def test_total(self, api):
                """Total."""
                api.cart()
        class TestMemoryCart(CartSuite):
            """Against the in-memory store."""
        '''

    assert audit(source) == [(3, 5, "no-assertion", "error")]


def test_pytest_is_resolved_through_aliases() -> None:
    """``import pytest as pt`` and ``from pytest import mark`` are still pytest."""
    source = '''\
        """Cart."""
        import pytest as pt
        from pytest import mark
        @mark.skip
        def test_total():
            """Total."""
            pt.fail("TODO")
        '''

    assert rules_of(source) == ["skip-without-reason", "generator-placeholder"]


def test_relative_imports_are_not_the_mock_library() -> None:
    """``from . import mock`` is the project's own module, not the mock package."""
    source = '''\
        """Cart."""
        from . import mock
        def test_total():
            """Total."""
            assert mock.cart_total() == 3
        '''

    assert rules_of(source) == []


@pytest.mark.parametrize("comment", ["# seamq: ignore-file[verdict-tampering]",
                                     "# seamq: ignore[verdict-tampering]"])
def test_inline_ignores_cannot_silence_verdict_tampering(comment: str) -> None:
    """The file under audit cannot exempt itself from the integrity rule."""
    source = f'''
        """Cart."""
        import os


        def test_cart():
            assert 1 == 1
            os._exit(0)  {comment}
        '''

    assert "verdict-tampering" in rules_of(source)


@pytest.mark.parametrize("line", [
    'getattr(os, "_ex" + "it")(0)',
    'getattr(os, "_exit")(0)',
    'getattr(sys, name)(0)',
    'importlib.import_module("_pytest.runner")',
    '__import__("_" + "pytest")',
])
def test_obfuscated_exits_and_imports_are_verdict_tampering(line: str) -> None:
    source = f'''
        """Cart."""
        import importlib
        import os
        import sys

        name = "exit"


        def test_cart():
            assert 1 == 1
            {line}
        '''

    assert "verdict-tampering" in rules_of(source)


def test_getattr_with_a_plain_name_on_os_is_fine() -> None:
    source = '''
        """Cart."""
        import os


        def test_cart():
            assert getattr(os, "sep") == "/"
        '''

    assert "verdict-tampering" not in rules_of(source)
