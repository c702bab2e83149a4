"""Writing files so that nothing is ever half written or written through a planted link.
Light on purpose (no NumPy): the cache and the run directories both use it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def atomic_write(path: Path | str, write: Callable[[IO[bytes]], Any]) -> None:
    """Write the file `path` all at once, or not at all.

    `write` fills a temporary file created exclusively (``O_EXCL``: never through a link, never
    over another's file) beside `path`, which then replaces `path` by a rename (a link at
    `path` is replaced, not followed).

    Arguments:
        path: the file to write.
        write: called with the open binary file.
    """
    path = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.chmod(temporary, 0o666 & ~umask())  # mkstemp makes it private; these are ordinary files
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def umask() -> int:
    """The process's file-mode creation mask (read by setting it and setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
