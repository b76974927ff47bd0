"""The project environment image: the project's dependencies on a base image, built once
per content and reused.

The dependencies are installed on the host, with the host's pip, into a target directory
for the base image's interpreter and platform (``--target --python-version --platform
--implementation cp --only-binary=:all:``): the base image needs no pip and the build no
network, as where containers have none or fleets are air-gapped. Lines taken from a lock
file are complete and installed with ``--no-deps``. The image is the base plus that
directory in the interpreter's site directory, plus an optional setup command run at build
time with ``network=none``. Its tag is a hash of the base image id, the requirement lines
and the files they come from (lock files included), the setup command and seamq's version:
every runner that builds it gets the same tag (a fleet shares it through a registry; here
each host builds its own).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import docker.errors

from services.runner.sandboxes.requirements import Requirements, requirement_inputs
from shared.contract import EnvironmentSpec, EnvironmentUse
from shared.errors import SandboxError

REPO = "seamq-env"
RECIPE = "2"  # bump when the way an image is built changes
TAIL_CHARS = 4_000
PIP_TIMEOUT_S = 1_800
FAILED_TTL_S = 300.0  # a failed build is not retried sooner by the same runner
# What pip must know of the image's interpreter: its version, site directory, platform,
# glibc, and the environment its requirement markers are evaluated in (PEP 508).
_ASK = """
import json, os, platform, sys, sysconfig
v = sys.implementation.version
markers = {
    "implementation_name": sys.implementation.name,
    "implementation_version": f"{v.major}.{v.minor}.{v.micro}",
    "os_name": os.name, "platform_machine": platform.machine(),
    "platform_release": platform.release(), "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps([markers["python_version"], sysconfig.get_paths()["purelib"],
                  sysconfig.get_platform(), os.confstr("CS_GNU_LIBC_VERSION") or "", markers]))
"""
# pip evaluates markers for its own interpreter even with --python-version: run it with
# the image's marker environment instead (``python_full_version < "3.11.3"`` and the like).
_PIP = """
import json, runpy, sys
from pip._vendor.packaging import markers
image = json.loads(sys.argv.pop(1))
markers.default_environment = lambda: dict(image)
sys.argv[0] = "pip"
runpy.run_module("pip", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Interpreter:
    """The base image's python3, as pip needs to know it."""

    version: str
    purelib: str
    platform: str
    libc: str
    markers: dict[str, str]


class EnvironmentBuildError(SandboxError):
    """A step of the environment build failed; the message ends with the step's tail."""


def seamq_version() -> str:
    try:
        return metadata.version("seamq")
    except metadata.PackageNotFoundError:
        return "unknown"


def _tail(text: str) -> str:
    return text[-TAIL_CHARS:].rstrip()


class EnvironmentBuilder:
    """Finds or builds environment images on one engine; one build per tag at a time."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._rebuilt: set[tuple[str, str]] = set()  # (run, tag) built under --rebuild-env
        self._failed: dict[str, tuple[float, str]] = {}  # tag -> (when, why)

    def ensure(self, project: Path, spec: EnvironmentSpec, default_base: str,
               run_id: str = "") -> EnvironmentUse:
        """The image for ``project``'s dependencies: found (reused) or built now.

        ``spec.rebuild`` builds once per run (the run's later jobs reuse that build); a build
        that failed is not tried again for ``FAILED_TTL_S``: its jobs fail at once with the
        same tail instead of repeating a long failing pip install per job."""
        base = spec.base or default_base
        base_id = self._image_id(base)
        requirements = requirement_inputs(project, spec)
        tag = f"{REPO}:{_digest(base_id, requirements, spec.setup)}"
        with self._lock(tag):
            self._raise_recent_failure(tag)
            old = self._image_id(tag, missing_ok=True)
            if old and not (spec.rebuild and (run_id, tag) not in self._rebuilt):
                return EnvironmentUse(tag=tag, built=False)
            started = time.monotonic()
            try:
                self._build(project, base, requirements, spec.setup, tag)
            except EnvironmentBuildError as e:
                self._failed[tag] = (time.monotonic(), str(e))
                raise
            if spec.rebuild:
                self._rebuilt.add((run_id, tag))
            if old and old != self._image_id(tag, missing_ok=True):
                self._discard(old)
            return EnvironmentUse(tag=tag, built=True,
                                  build_s=round(time.monotonic() - started, 3))

    def _raise_recent_failure(self, tag: str) -> None:
        when, why = self._failed.get(tag, (0.0, ""))
        age = time.monotonic() - when
        if why and age < FAILED_TTL_S:
            head, _, tail = why.partition("\n")
            raise EnvironmentBuildError(
                f"{head} (this runner's build of the same image failed {age:.0f} s ago; "
                f"not retried for {FAILED_TTL_S:.0f} s)\n{tail}".rstrip())

    def _discard(self, image_id: str) -> None:
        """Remove the image a rebuild replaced, unless something still uses it."""
        with contextlib.suppress(docker.errors.DockerException):
            self.client.api.remove_image(image_id)

    def _lock(self, tag: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(tag, threading.Lock())

    def _image_id(self, image: str, *, missing_ok: bool = False) -> str:
        try:
            return str(self.client.api.inspect_image(image)["Id"])
        except docker.errors.ImageNotFound:
            if missing_ok:
                return ""
            raise EnvironmentBuildError(f"environment: base image '{image}' not found "
                                        "locally; build or load it") from None

    def _interpreter(self, base: str) -> Interpreter:
        try:
            raw = self.client.containers.run(base, ["python3", "-c", _ASK], remove=True,
                                              network_mode="none", user="65534:65534")
            version, purelib, platform, libc, markers = json.loads(raw)
        except (docker.errors.DockerException, ValueError) as e:
            raise EnvironmentBuildError(f"environment: cannot ask {base} for its python3: "
                                        f"{_tail(str(e))}") from e
        return Interpreter(str(version), str(purelib), str(platform), str(libc),
                           {str(k): str(v) for k, v in markers.items()})

    def _build(self, project: Path, base: str, requirements: Requirements, setup: str,
               tag: str) -> None:
        python = self._interpreter(base)
        with tempfile.TemporaryDirectory(prefix="seamq-env-") as tmp:
            context = Path(tmp)
            included = [f"-r {project.resolve() / name}" for name in sorted(requirements.files)]
            (context / "requirements.txt").write_text(
                "\n".join([*requirements.lines, *included]) + "\n")
            _pip(project, context, python, no_deps=requirements.locked)
            dockerfile = _dockerfile(base, python.purelib, setup)
            (context / "Dockerfile").write_text(dockerfile)
            self._docker_build(context, tag)

    def _docker_build(self, context: Path, tag: str) -> None:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            tar.add(context / "Dockerfile", arcname="Dockerfile")
            tar.add(context / "site", arcname="site")
        buffer.seek(0)
        log: list[str] = []
        try:
            for chunk in self.client.api.build(fileobj=buffer, custom_context=True, tag=tag,
                                               network_mode="none", rm=True, forcerm=True,
                                               decode=True, labels={"seamq.environment": "1"}):
                log.append(str(chunk.get("stream") or chunk.get("status") or ""))
                if "error" in chunk:
                    raise EnvironmentBuildError(
                        f"environment: docker build of {tag} failed: {chunk['error'].strip()}\n"
                        + _tail("".join(log)))
        except docker.errors.DockerException as e:
            raise EnvironmentBuildError(f"environment: docker build of {tag} failed: {e}\n"
                                        + _tail("".join(log))) from e


def _digest(base_id: str, requirements: Requirements, setup: str) -> str:
    h = hashlib.sha256()
    for part in (RECIPE, seamq_version(), base_id, "\n".join(requirements.lines), setup):
        h.update(part.encode() + b"\0")
    files = {**requirements.files, **requirements.locks}
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()[:16]


def _platforms(platform: str, libc: str) -> list[str]:
    """pip platform tags the image accepts, newest first: every manylinux up to its glibc
    (pip does not widen a given --platform to older ones), then plain linux."""
    arch = platform.rsplit("-", 1)[-1]
    tags = []
    if libc.startswith("glibc "):
        major, minor = (int(n) for n in libc.split()[1].split(".")[:2])
        if major == 2:
            tags += [f"manylinux_2_{m}_{arch}" for m in range(minor, 4, -1)]
            legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
            tags += [f"{name}_{arch}" for m, name in legacy.items() if m <= minor]
    return [*tags, f"linux_{arch}"]


def _pip(project: Path, context: Path, python: Interpreter, *, no_deps: bool) -> None:
    argv = [sys.executable, "-c", _PIP, json.dumps(python.markers), "install", "--quiet",
            "--disable-pip-version-check", "--no-warn-conflicts", "--target",
            str(context / "site"), "--python-version", python.version, "--implementation",
            "cp", "--only-binary=:all:",
            *(f"--platform={p}" for p in _platforms(python.platform, python.libc)),
            *(["--no-deps"] if no_deps else []), "-r", str(context / "requirements.txt")]
    try:
        done = subprocess.run(argv, cwd=project, capture_output=True, text=True,
                              timeout=PIP_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as e:
        raise EnvironmentBuildError(f"environment: pip install timed out after "
                                    f"{PIP_TIMEOUT_S} s") from e
    if done.returncode != 0:
        raise EnvironmentBuildError(f"environment: pip install failed (exit "
                                    f"{done.returncode}):\n{_tail(done.stdout + done.stderr)}")
    (context / "site").mkdir(exist_ok=True)
    # Scripts pip writes for the host's interpreter mean nothing in the image.
    shutil.rmtree(context / "site" / "bin", ignore_errors=True)


def _dockerfile(base: str, purelib: str, setup: str) -> str:
    """The build: the base, the installed packages in its site directory, the setup."""
    steps = [f"FROM {base}", "USER root", f"COPY site {purelib}"]
    if setup:
        steps.append(f"RUN {json.dumps(['/bin/sh', '-c', setup])}")
    steps.append("USER 65534:65534")
    return "\n".join(steps) + "\n"
