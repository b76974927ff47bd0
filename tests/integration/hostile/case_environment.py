"""The tests see only the variables the request passed and a minimal base, no runner secret."""

import os

ALLOWED = {"PATH", "HOME", "LANG", "HOSTNAME", "VISIBLE_TO_TESTS", "PYTHONDONTWRITEBYTECODE",
           "PYTEST_CURRENT_TEST", "PYTEST_VERSION", "PYTEST_XDIST_AUTO_NUM_WORKERS"}


def test_only_the_passed_variables_are_present():
    assert os.environ["VISIBLE_TO_TESTS"] == "yes"
    assert sorted(set(os.environ) - ALLOWED) == []


def test_no_value_carries_the_runners_secret():
    assert not [k for k, v in os.environ.items() if "seamq-secret-" in v]


def test_the_init_process_environment_carries_no_secret():
    with open("/proc/1/environ", "rb") as f:
        assert b"seamq-secret-" not in f.read()
