"""What seamq's plugin watches for tampering: pytest internals and verdict hook owners.

Imported by ``seamq_order`` (beside it in the sandbox's support directory); only the
standard library and pytest.
"""

from __future__ import annotations

import sys

import pytest

_WATCHED = (
    ("_pytest.runner", "call_and_report"),
    ("_pytest.runner", "pytest_runtest_makereport"),
    ("_pytest.runner", "runtestprotocol"),
    ("_pytest.runner", "check_interactive_exception"),
    ("_pytest.reports", "TestReport"),
    ("_pytest.python", "pytest_pyfunc_call"),
    ("_pytest.main", "pytest_runtestloop"),
    ("_pytest.terminal", "TerminalReporter"),
)
_WATCHED_ATTRS = (
    ("_pytest.reports", "TestReport", "from_item_and_call"),
    ("_pytest.reports", "BaseReport", "passed"),
    ("_pytest.reports", "BaseReport", "failed"),
    ("_pytest.runner", "CallInfo", "from_call"),
    ("_pytest.python", "Function", "runtest"),
    ("_pytest.junitxml", "LogXML", "pytest_runtest_logreport"),
)
# Hooks through which a plugin decides what runs and what a test's verdict is.
_VERDICT_HOOKS = (
    "pytest_runtest_makereport",
    "pytest_runtest_logreport",
    "pytest_report_teststatus",
    "pytest_runtest_protocol",
    "pytest_runtest_setup",
    "pytest_runtest_call",
    "pytest_runtest_teardown",
    "pytest_pyfunc_call",
    "pytest_runtestloop",
    "pytest_collection",
    "pytest_collection_modifyitems",
    "pytest_collectreport",
    "pytest_itemcollected",
    "pytest_make_collect_report",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
)


def snapshot() -> dict[str, int]:
    ids: dict[str, int] = {}
    for module, name in _WATCHED:
        mod = sys.modules.get(module)
        if mod is not None:
            ids[f"{module}.{name}"] = id(getattr(mod, name, None))
    for module, cls, attr in _WATCHED_ATTRS:
        mod = sys.modules.get(module)
        owner = getattr(mod, cls, None) if mod is not None else None
        if owner is not None:
            ids[f"{module}.{cls}.{attr}"] = id(owner.__dict__.get(attr))
    return ids


def hook_owners(config: pytest.Config) -> dict[str, list[str]]:
    """Who implements each verdict hook, except the project's conftest modules (pytest
    loads those during collection, legitimately)."""
    manager = config.pluginmanager
    conftests: set[object] = getattr(manager, "_conftest_plugins", set())
    owners: dict[str, list[str]] = {}
    for name in _VERDICT_HOOKS:
        caller = getattr(manager.hook, name, None)
        if caller is None:
            continue
        owners[name] = sorted(
            f"{impl.plugin_name}:{getattr(impl.function, '__qualname__', '?')}"
            for impl in caller.get_hookimpls() if impl.plugin not in conftests
        )
    return owners


def new_hooks(before: dict[str, list[str]], now: dict[str, list[str]]) -> list[str]:
    """Hook implementations present ``now`` that were not there ``before``, or gone."""
    changed = []
    for name in sorted(set(before) | set(now)):
        added = set(now.get(name, ())) - set(before.get(name, ()))
        removed = set(before.get(name, ())) - set(now.get(name, ()))
        changed += [f"{name} by {owner}" for owner in sorted(added)]
        changed += [f"{name} of {owner} removed" for owner in sorted(removed)]
    return changed
