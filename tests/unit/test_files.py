"""Bounded reads: a FIFO, a link, a huge or a non-UTF-8 file is refused at once, in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shared.files import UnsafeFileError, read_capped, read_text_capped, tree_bytes


def test_a_regular_file_within_the_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"{}")

    assert read_capped(path, 2) == b"{}"


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "collected.json"
    os.mkfifo(path)

    with pytest.raises(UnsafeFileError, match="not a regular file"):
        read_capped(path, 1024)


def test_a_symlink_is_not_followed(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.symlink_to("/dev/zero")

    with pytest.raises(UnsafeFileError, match="symbolic link"):
        read_capped(path, 1024)


def test_a_file_over_the_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    with path.open("wb") as f:
        f.truncate(130 * 1024 * 1024)

    with pytest.raises(UnsafeFileError, match="over the cap"):
        read_capped(path, 32 * 1024 * 1024)


def test_text_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(b"a = '\xff'")

    with pytest.raises(UnsafeFileError, match="not UTF-8"):
        read_text_capped(path, 1024)


def test_a_missing_file_stays_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_capped(tmp_path / "absent", 10)


def test_tree_bytes_counts_sparse_files_at_their_apparent_size(tmp_path: Path) -> None:
    for n in range(4):
        with (tmp_path / f"f{n}").open("wb") as f:
            f.truncate(500 * 1024 * 1024)
    (tmp_path / "link").symlink_to("/dev/zero")

    assert tree_bytes(tmp_path, 256 * 1024 * 1024) > 256 * 1024 * 1024
