"""Writing the files a user names: one place that turns an unwritable path into a one-line input error."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from verisnn.core.errors import InvalidInput


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


@contextlib.contextmanager
def opened_for_writing(path: str | os.PathLike, what: str = "file", binary: bool = False) -> Iterator[IO]:
    """Open ``path`` for writing; failing to open or write it raises :class:`InvalidInput` naming the path."""
    try:
        handle = open(path, "wb" if binary else "w", encoding=None if binary else "utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InvalidInput(f"cannot write {what} {str(path)!r}: {_reason(exc)}") from None
    try:
        with handle:
            yield handle
    except OSError as exc:
        raise InvalidInput(f"cannot write {what} {str(path)!r}: {_reason(exc)}") from None


def write_text(path: str | os.PathLike, text: str, what: str = "file") -> Path:
    """Write ``text`` to ``path`` (UTF-8); an unwritable path is an :class:`InvalidInput` that names it."""
    with opened_for_writing(path, what) as handle:
        handle.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes, what: str = "file") -> Path:
    """Write ``data`` to ``path``; an unwritable path is an :class:`InvalidInput` that names it."""
    with opened_for_writing(path, what, binary=True) as handle:
        handle.write(data)
    return Path(path)


def make_directory(path: str | os.PathLike, what: str = "directory") -> Path:
    """Create ``path`` (and its parents) if needed; failing is an :class:`InvalidInput` that names it."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create {what} {str(path)!r}: {_reason(exc)}") from None
    return Path(path)
