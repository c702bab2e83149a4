"""Where a sweep keeps its finished points until its run directory is written.

A [`ChunkStore`][dyntools.simulations.chunks.ChunkStore] owns one directory (by default the
hidden sibling ``.<name>.sweep-points`` of the run directory, see
[`ChunkStore.beside`][dyntools.simulations.chunks.ChunkStore.beside]) holding the sweep's
definition (``sweep.json``) and one ``point_NNNNN.npz`` per finished point. Every file is written
whole or not at all ([`atomic_write`][dyntools.files.atomic_write]: an exclusively created
staging file, never written through a link, then renamed into place), so an interrupted sweep
keeps every point it finished and the next run of the same sweep skips them. The store removes
only what a sweep writes: a directory holding anything else (a link, a folder, a file of another
name) is refused, never emptied.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..errors import DyntoolsError
from ..files import atomic_write

POINTS = ".sweep-points"  # the suffix of the hidden sibling that keeps an unfinished sweep's points
RECORD = "sweep.json"  # the sweep's definition, beside its points
_OWN = re.compile(r"sweep\.json|point_\d{5}\.npz|\..+\.partial")  # all a sweep writes (staging files included)


class ChunkStore:
    """The finished points of one sweep: one ``.npz`` file a point in a directory of its own.

    Arguments:
        directory: the directory the points are kept in (made by
            [`claim`][dyntools.simulations.chunks.ChunkStore.claim]).

    Attributes:
        directory: that directory, as a ``Path``.
    """

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.directory)!r})"

    @classmethod
    def beside(cls, run_directory: Path | str) -> ChunkStore:
        """The store of a sweep into ``run_directory``: its hidden sibling ``.<name>.sweep-points``.

        Arguments:
            run_directory: the sweep's run directory.

        Returns:
            The store (its directory need not exist).
        """
        run_directory = Path(run_directory)
        return cls(run_directory.parent / f".{run_directory.name}{POINTS}")

    @classmethod
    def unfinished_under(cls, root: Path | str) -> Iterator[tuple[Path, ChunkStore]]:
        """The stores beside the run directories under ``root``, sorted by name.

        Arguments:
            root: where run directories are made.

        Yields:
            ``(run directory, store)`` for each ``.<name>.sweep-points`` with a definition file.
        """
        for record in sorted(Path(root).glob(f".*{POINTS}/{RECORD}")):
            yield Path(root) / record.parent.name[1:-len(POINTS)], cls(record.parent)

    def path(self, index: int) -> Path:
        """The file of point number ``index`` (0-based, at most 99,999)."""
        return self.directory / f"point_{index:05d}.npz"

    def exists(self) -> bool:
        """Whether the directory exists (or a link or file is there)."""
        return os.path.lexists(self.directory)

    def definition(self) -> object | None:
        """The definition recorded by [`claim`][dyntools.simulations.chunks.ChunkStore.claim]
        (parsed JSON), or None where it cannot be read."""
        try:
            return json.loads((self.directory / RECORD).read_text())
        except (OSError, ValueError):
            return None

    def claim(self, definition: object) -> int:
        """Take the directory for a sweep with this definition (JSON-serializable).

        A leftover store with the same definition is resumed (its half-written staging files are
        removed); one with another definition is discarded; otherwise the directory is made.

        Arguments:
            definition: what makes two sweeps the same sweep.

        Returns:
            How many finished points of a sweep with another definition were discarded.

        Raises:
            DyntoolsError: if the directory is a link or not a directory, or holds anything a
                sweep does not write (nothing is removed then).
        """
        partial = self.directory
        discarded = 0
        if partial.is_symlink() or (partial.exists() and not partial.is_dir()):
            raise DyntoolsError(f"{partial} (where a sweep keeps its finished points) is not a directory dyntools "
                                "made; move it away")
        if partial.exists():
            self._check_only_points()
            if self.definition() == definition:
                for leftover in partial.glob(".*.partial"):  # a point killed while it was being written
                    leftover.unlink()
                return 0
            discarded = len(list(partial.glob("point_*.npz")))
            shutil.rmtree(partial)
        partial.mkdir(parents=True)
        atomic_write(partial / RECORD, lambda file: file.write(json.dumps(definition).encode()))
        return discarded

    def _check_only_points(self) -> None:
        """Raise unless the directory holds only what a sweep writes there (before it is removed)."""
        foreign = [p.name for p in self.directory.iterdir()
                   if not _OWN.fullmatch(p.name) or p.is_symlink() or not p.is_file()]
        if foreign:
            raise DyntoolsError(f"{self.directory} (where a sweep keeps its finished points) holds files dyntools "
                                f"did not write ({', '.join(map(repr, sorted(foreign)[:3]))}); move them away")

    def unfinished(self, count: int, keys: dict[str, tuple[int, ...]]) -> tuple[list[int], int]:
        """The points still to run; a file that cannot be read or holds other arrays is removed.

        Arguments:
            count: the number of points of the sweep.
            keys: ``{name: shape}`` of the arrays a finished point's file holds.

        Returns:
            The indices of the points to run (in order), and how many of them had a damaged file.
        """
        todo, damaged = [], 0
        for i in range(count):
            path = self.path(i)
            if path.exists() and self.read(i, keys) is None:
                path.unlink()
                damaged += 1
            if not path.exists():
                todo.append(i)
        return todo, damaged

    def save(self, indices: Sequence[int], arrays: Sequence[dict[str, np.ndarray]]) -> None:
        """Save each point's arrays to its file, atomically (a killed write leaves a ``.partial`` file).

        Arguments:
            indices: the points' numbers.
            arrays: the points' arrays, ``{name: array}`` each, in the order of ``indices``.

        Raises:
            DyntoolsError: unless there is one dict of arrays per index (nothing is saved then).
        """
        if len(indices) != len(arrays):
            raise DyntoolsError(f"a chunk of {len(indices)} points came back with {len(arrays)} results")
        for index, point in zip(indices, arrays):
            atomic_write(self.path(index), lambda file, point=point: np.savez(file, **point))

    def read(self, index: int, keys: dict[str, tuple[int, ...]] | None = None) -> dict[str, np.ndarray] | None:
        """A point's arrays.

        Arguments:
            index: the point's number.
            keys: with ``{name: shape}``, None is returned unless the file is readable and holds
                exactly those arrays with those shapes; without, a read error is raised.

        Returns:
            ``{name: array}``, or None (with ``keys``).
        """
        if keys is None:
            with np.load(self.path(index)) as data:
                return {k: data[k] for k in data.files}
        try:
            point = self.read(index)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            return None
        shapes = {k: v.shape for k, v in point.items()}
        return point if shapes == keys else None

    def remove(self) -> None:
        """Remove the directory and its points (when the sweep fails, or once its run is written)."""
        shutil.rmtree(self.directory, ignore_errors=True)
