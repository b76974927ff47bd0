"""How a sandbox container is hardened: the arguments every docker sandbox container is
created with (read-only root, tmpfs /tmp, no network but the loopback its services share,
non-root, no capabilities, limits), and the permission bits its uid needs on the
per-job trees it reads."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from docker.types import LogConfig, Mount, Ulimit

from services.runner.sandboxes.base import Mounts, SandboxRequest
from shared.errors import SandboxError

NOBODY = 65534
MOUNTS = Mounts(workspace="/workspace", outputs="/outputs", support="/seamq")
DEFAULT_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
}


def open_up(root: Path, dir_bits: int, file_bits: int) -> None:
    """Add permission bits through a per-job tree so the container's uid can use it."""
    for dirpath, _dirs, files in os.walk(root):
        for path, bits in [(dirpath, dir_bits), *((os.path.join(dirpath, f), file_bits)
                                                   for f in files)]:
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode) or st.st_mode & bits == bits:
                continue
            try:
                os.chmod(path, stat.S_IMODE(st.st_mode) | bits)
            except PermissionError:
                continue  # not ours to change: the test will report what it cannot read


def prepare_dirs(request: SandboxRequest) -> None:
    """Check a request's three directories and open them up to the container's uid."""
    for path in (request.workspace, request.support, request.outputs):
        if not path.is_dir():
            raise SandboxError(f"sandbox directory {path} does not exist")
    open_up(request.workspace, 0o555, 0o444)
    open_up(request.support, 0o555, 0o444)
    request.outputs.chmod(0o777)


def host_config_kwargs(request: SandboxRequest, tmp_mb: int) -> dict[str, Any]:
    """Arguments for ``create_host_config``: mounts, isolation and resource limits."""
    limits = request.limits
    fsize = limits.fsize_mb * 1024 * 1024
    return {
        "mounts": [
            Mount(MOUNTS.workspace, str(request.workspace.resolve()), "bind", True),
            Mount(MOUNTS.outputs, str(request.outputs.resolve()), "bind", False),
            Mount(MOUNTS.support, str(request.support.resolve()), "bind", True),
        ],
        "network_mode": request.network or "none",
        "read_only": True,
        "tmpfs": {"/tmp": f"rw,exec,nosuid,nodev,size={tmp_mb}m,mode=1777"},
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "pids_limit": limits.pids,
        "mem_limit": f"{limits.memory_mb}m",
        "memswap_limit": f"{limits.memory_mb}m",
        "nano_cpus": int(limits.cpus * 1e9),
        "ulimits": [
            Ulimit(name="nofile", soft=limits.nofile, hard=limits.nofile),
            Ulimit(name="fsize", soft=fsize, hard=fsize),
            Ulimit(name="core", soft=0, hard=0),
        ],
        "init": True,
        "oom_score_adj": 1000,
        "log_config": LogConfig(type="json-file", config={"max-size": "1m", "max-file": "2"}),
    }


def container_kwargs(request: SandboxRequest, name: str, uid: int, labels: dict[str, str],
                     host_config: Any) -> dict[str, Any]:
    """Arguments for ``create_container``: the command as ``uid`` in the workspace, with
    exactly the request's environment over a minimal base."""
    return {
        "command": list(request.argv),
        "name": name,
        "user": f"{uid}:{uid}",
        "working_dir": MOUNTS.workspace,
        "environment": {**DEFAULT_ENV, **request.env},
        "labels": labels,
        # A joined namespace brings its own hostname: docker refuses to set another.
        "hostname": None if request.network.startswith("container:") else "sandbox",
        "host_config": host_config,
    }
