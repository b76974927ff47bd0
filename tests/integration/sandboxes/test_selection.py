"""``--sandbox auto|docker|local``: which sandbox is chosen, and the notice when auto falls back."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest

from services.runner.sandboxes.identity import RunAs, choose_run_as
from services.runner.sandboxes.local import LocalSandbox
from services.runner.sandboxes.selection import choose_sandbox
from shared.errors import SandboxError, UsageError

NO_ENGINE = "unix:///nonexistent/docker.sock"


def test_auto_falls_back_to_local_with_one_notice_when_no_engine_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", NO_ENGINE)
    notices: list[str] = []
    sandbox = choose_sandbox("auto", "", notices.append)
    assert sandbox.kind == "local"
    assert notices == [f"seamq: sandbox auto -> local (no Docker engine answered at {NO_ENGINE});"
                       " local is weaker isolation"]


def test_docker_without_an_engine_is_a_sandbox_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", NO_ENGINE)
    with pytest.raises(SandboxError, match="no Docker engine answered at unix:///nonexistent"):
        choose_sandbox("docker", "", print)


def test_an_unknown_kind_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown sandbox 'vm'"):
        choose_sandbox("vm", "", print)


def test_local_is_chosen_without_asking_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", NO_ENGINE)
    notices: list[str] = []
    assert choose_sandbox("local", "", notices.append).kind == "local"
    assert notices == []


def test_locals_detail_says_who_the_tests_run_as() -> None:
    sandbox = choose_sandbox("local", "", print)
    assert isinstance(sandbox, LocalSandbox)

    assert sandbox.detail == (f"local ({sandbox.run_as.detail}): asked for with --sandbox "
                              "local (weaker isolation)")
    if os.geteuid() != 0:
        assert sandbox.run_as.detail == "same user: weaker"
    elif sandbox.run_as.uid is None:  # root, but nobody cannot start the interpreter
        assert sandbox.run_as.detail.startswith("same user, root: weaker; nobody cannot start ")
    else:
        assert sandbox.run_as.detail == f"tests run as nobody, uid {sandbox.run_as.uid}"


def test_a_non_root_seamq_keeps_its_own_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)

    assert choose_run_as(sys.executable) == RunAs(None, None, "same user: weaker")


@pytest.mark.docker
def test_auto_chooses_docker_when_the_engine_answers_and_the_image_exists(
    docker_client: Any,
) -> None:
    notices: list[str] = []
    sandbox = choose_sandbox("auto", "", notices.append)
    sandbox.close()
    assert (sandbox.kind, notices) == ("docker", [])


@pytest.mark.docker
def test_auto_falls_back_when_the_image_is_missing(docker_client: Any) -> None:
    notices: list[str] = []
    sandbox = choose_sandbox("auto", "seamq-missing:never", notices.append)
    assert sandbox.kind == "local"
    assert notices == ["seamq: sandbox auto -> local (image 'seamq-missing:never' not found "
                       "locally (build or load it)); local is weaker isolation"]


@pytest.mark.docker
def test_docker_is_chosen_even_when_the_image_is_missing(docker_client: Any) -> None:
    """A missing image is each job's infrastructure error, not a start-up failure."""
    sandbox = choose_sandbox("docker", "seamq-missing:never", print)
    sandbox.close()
    assert sandbox.kind == "docker"
