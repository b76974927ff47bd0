"""The part of seamq's pytest plugin that keeps the proof under seamq's control.

Options that parallelise, rerun, stop early or reorder are removed from pytest's arguments
(the project's ``addopts`` included) before pytest parses them, and each removal is kept
with its reason for the report. Loaded by ``seamq_order``; standard library and pytest only.
"""

from __future__ import annotations

import pytest

_XDIST = "pytest-xdist runs tests in parallel workers, out of seamq's order"
_STOP = "stops the session early: every test must run in every repeat"
_CACHE = "selects or reorders tests from an earlier run"
_RERUN = "pytest-rerunfailures reruns failures, which would turn flaky into passed"
_REORDER = "reorders tests: seamq chooses and records the order"
_REPEAT = "repeats tests inside one process: seamq repeats in fresh processes"
# option -> (takes a value, why seamq removes it)
_CONTROLLED: dict[str, tuple[bool, str]] = {
    "-n": (True, _XDIST), "--numprocesses": (True, _XDIST), "--dist": (True, _XDIST),
    "--maxprocesses": (True, _XDIST), "--tx": (True, _XDIST), "-f": (False, _XDIST),
    "--looponfail": (False, _XDIST), "--max-worker-restart": (True, _XDIST),
    "-x": (False, _STOP), "--exitfirst": (False, _STOP), "--maxfail": (True, _STOP),
    "--sw": (False, _STOP), "--stepwise": (False, _STOP), "--sw-skip": (False, _STOP),
    "--stepwise-skip": (False, _STOP),
    "--lf": (False, _CACHE), "--last-failed": (False, _CACHE), "--ff": (False, _CACHE),
    "--failed-first": (False, _CACHE), "--nf": (False, _CACHE), "--new-first": (False, _CACHE),
    "--lfnf": (True, _CACHE), "--last-failed-no-failures": (True, _CACHE),
    "--cache-clear": (False, _CACHE),
    "--reruns": (True, _RERUN), "--reruns-delay": (True, _RERUN),
    "--only-rerun": (True, _RERUN), "--rerun-except": (True, _RERUN),
    "--randomly-seed": (True, _REORDER), "--randomly-dont-reset-seed": (False, _REORDER),
    "--randomly-dont-reorganize": (False, _REORDER), "--random-order": (False, _REORDER),
    "--random-order-bucket": (True, _REORDER), "--random-order-seed": (True, _REORDER),
    "--count": (True, _REPEAT), "--repeat-scope": (True, _REPEAT),
}
# plugins seamq blocks, the reason, and the markers their users' tests may carry
BLOCKED_PLUGINS: dict[str, tuple[str, tuple[str, ...]]] = {
    "xdist": (_XDIST, ("xdist_group(name): pytest-xdist grouping (ignored under seamq)",)),
    "xdist.looponfail": (_XDIST, ()),
    "randomly": (_REORDER, ()),
    "random_order": (_REORDER, ("random_order(disabled): pytest-random-order (ignored)",)),
    "rerunfailures": (_RERUN, ("flaky(reruns, reruns_delay): rerun marker (ignored)",)),
    "repeat": (_REPEAT, ("repeat(count): pytest-repeat marker (ignored)",)),
}
_SHORT_FLAGS = frozenset("vqslx")
OVERRIDES_KEY = "seamq_overridden"


def _plugin_arg(value: str) -> bool:
    """Whether ``-p VALUE`` enables a blocked plugin or disables seamq's own."""
    name = value.removeprefix("no:")
    if value.startswith("no:"):
        return name in ("seamq_order", "seamq-recorder")
    return name in BLOCKED_PLUGINS or name.removeprefix("pytest_") in BLOCKED_PLUGINS


def _take(args: list[str], i: int) -> tuple[int, str | None]:
    """How many words the option at ``args[i]`` spans, and its text when seamq removes it."""
    arg = args[i]
    name, eq, _ = arg.partition("=")
    if arg in ("-p",) and i + 1 < len(args):
        return (2, f"-p {args[i + 1]}") if _plugin_arg(args[i + 1]) else (2, None)
    if arg.startswith("-p") and not arg.startswith("--"):
        return (1, arg) if _plugin_arg(arg[2:]) else (1, None)
    if name in _CONTROLLED:
        takes, _ = _CONTROLLED[name]
        span = 2 if takes and not eq and i + 1 < len(args) else 1
        return span, " ".join(args[i:i + span])
    if arg.startswith("-n") and not arg.startswith("--") and len(arg) > 2:
        return 1, arg
    return 1, None


def _reason(text: str) -> str:
    head = text.split()[0].partition("=")[0]
    if head.startswith("-p"):
        name = text.split()[-1].removeprefix("-p").removeprefix("no:").removeprefix("pytest_")
        return BLOCKED_PLUGINS.get(name, ("seamq's own plugin must run",))[0]
    if head.startswith("-n"):
        return _XDIST
    return _CONTROLLED.get(head, (False, _STOP))[1]


def take_control(args: list[str]) -> list[dict[str, str]]:
    """Remove, in place, every option that would take the proof out of seamq's hands."""
    removed: list[dict[str, str]] = []
    kept: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            kept += args[i:]
            break
        if (arg.startswith("-") and not arg.startswith("--") and len(arg) > 2
                and set(arg[1:]) <= _SHORT_FLAGS and "x" in arg):
            removed.append({"option": "-x", "why": _STOP})
            kept.append(arg.replace("x", ""))
            i += 1
            continue
        span, text = _take(args, i)
        if text is None:
            kept += args[i:i + span]
        else:
            removed.append({"option": text, "why": _reason(text)})
        i += span
    args[:] = kept
    return removed


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    # addopts have been merged into ``args`` here, and pytest parses them right after.
    setattr(early_config, OVERRIDES_KEY, take_control(args))
