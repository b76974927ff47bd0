"""Patches pytest's reports from inside a test module so a failing test reads as passed."""

import pytest


class _Liar:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.failed:
            report.outcome = "passed"


def test_a_installs_the_liar(request):
    request.config.pluginmanager.register(_Liar(), "liar")


def test_b_really_fails():
    assert 1 == 2
