"""Only /tmp and /outputs are writable; the root, the workspace and seamq's support are not."""

import errno
import os

import pytest

DENIED = "Read-only file system|Permission denied"

READ_ONLY_TARGETS = [
    "/escape.txt",
    "/etc/escape.txt",
    "/usr/lib/escape.txt",
    "/var/tmp/escape.txt",
    "/workspace/escape.txt",
    "/seamq/escape.txt",
]


@pytest.mark.parametrize("path", READ_ONLY_TARGETS)
def test_writing_outside_the_writable_places_fails(path):
    with pytest.raises(OSError, match=DENIED) as info, open(path, "w") as f:
        f.write("escaped")
    assert info.value.errno in (errno.EROFS, errno.EACCES)


def test_a_workspace_file_cannot_be_changed():
    with pytest.raises(OSError, match=DENIED), open(__file__, "a") as f:
        f.write("# tampered\n")


def test_the_passwd_file_cannot_be_changed():
    with pytest.raises(OSError, match=DENIED), open("/etc/passwd", "a") as f:
        f.write("evil:x:0:0::/:/bin/sh\n")


@pytest.mark.parametrize("directory", ["/tmp", "/outputs"])
def test_the_scratch_places_are_writable(directory):
    path = os.path.join(directory, "allowed.txt")
    with open(path, "w") as f:
        f.write("ok")
    assert os.path.getsize(path) == 2


def test_a_file_beyond_the_size_limit_is_refused():
    limit = int(os.environ["FSIZE_BYTES"])
    big = "/outputs/big.bin"
    with pytest.raises(OSError, match="File too large") as info, open(big, "wb") as f:
        f.write(b"\0" * (limit + 1))
    assert info.value.errno == errno.EFBIG
