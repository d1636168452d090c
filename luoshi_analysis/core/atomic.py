"""Data files: read with one clear error, written and replaced so a crash leaves old or new, never half."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

from luoshi_analysis.core.errors import DataFolderError

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def read_bytes(path: Path, missing: str) -> bytes:
    """Return a data file's bytes, or raise one line: what is missing, or why it cannot be read.

    Raises:
        DataFolderError: "<path>: missing; <missing>" or "<path>: cannot be read (<reason>)".
    """
    if not path.is_file():
        raise DataFolderError(f"{path}: missing; {missing}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataFolderError(f"{path}: cannot be read ({exc.strerror})") from None


def write_bytes(path: Path, data: bytes, fsync: bool = True) -> None:
    """Write bytes to a temporary name beside path, flush them to disk, then rename.

    Args:
        path: The file to write.
        data: Its new content.
        fsync: Flush to disk before the rename (skip for files cheap to remake, e.g. figures).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # the pid keeps two writers of one file from removing each other's temporary file
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: Path, content: str) -> None:
    """Write UTF-8 text the same way as ``write_bytes``."""
    write_bytes(path, content.encode("utf-8"))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with Linux renameat2(RENAME_EXCHANGE); False if unavailable."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        errno = ctypes.get_errno()
        if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: no exchange on this system
            return False
        raise OSError(errno, os.strerror(errno), str(b))
    return True


def replace_dir(staged: Path, target: Path) -> None:
    """Put a fully written folder in place of target in one step, then remove the old one.

    Where the system cannot exchange two folders atomically, the old folder is moved aside
    first (a crash in between leaves it beside the target, named .<name>.old).
    """
    if not target.exists():
        staged.rename(target)
        return
    if _exchange(staged, target):
        shutil.rmtree(staged)  # now holds the old version
        return
    aside = target.with_name(f".{target.name}.old")
    shutil.rmtree(aside, ignore_errors=True)
    target.rename(aside)
    staged.rename(target)
    shutil.rmtree(aside)
