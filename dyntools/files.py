"""Writing files so that nothing is ever half written or written through a planted link.
Light on purpose (no NumPy): the cache and the run directories both use it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")  # the figure files dyntools writes
_steps_in_progress = 0  # depth of `uninterrupted` blocks


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
    temporary = None
    try:
        with uninterrupted():  # a temporary file made must be known, to be removed
            fd, temporary = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".partial", dir=path.parent)
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.chmod(temporary, 0o666 & ~umask())  # mkstemp makes it private; these are ordinary files
        os.replace(temporary, path)
    except BaseException:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise


def umask() -> int:
    """The process's file-mode creation mask (read by setting it and setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Mark a step that must not stop half way (taking or releasing a lock, creating a staging
    directory, moving a run into place): a Ctrl-C handler that asks
    [`in_uninterrupted_step`][dyntools.files.in_uninterrupted_step] holds the interrupt back
    until the step is done. The ``dyntools`` command's handler does."""
    global _steps_in_progress
    _steps_in_progress += 1
    try:
        yield
    finally:
        _steps_in_progress -= 1


def in_uninterrupted_step() -> bool:
    """Whether the program is inside an [`uninterrupted`][dyntools.files.uninterrupted] step."""
    return _steps_in_progress > 0
