"""Where a sweep's points are computed: runners, passed to
[`run_sweep`][dyntools.simulations.sweep.run_sweep] as objects.

A [`Runner`][dyntools.simulations.runners.Runner] takes the sweep's [`Work`][dyntools.simulations.runners.Work]
(every point, built; the indices still to run; the function that computes a chunk of points)
and yields each chunk's results as it finishes; the sweep saves each one in its
[`ChunkStore`][dyntools.simulations.chunks.ChunkStore] before asking for the next, so a runner
never touches files and an interrupt loses at most the chunks not yet yielded.

- [`InProcess`][dyntools.simulations.runners.InProcess] (the default): chunks of `SAVE_EVERY`
  points in this process.
- [`DaskCluster`][dyntools.simulations.cluster.DaskCluster] (in
  [`dyntools.simulations.cluster`][dyntools.simulations.cluster]): chunks as tasks on a Dask
  cluster's workers.

A runner of one's own subclasses ``Runner`` and defines ``run`` (e.g. to submit chunks to another
scheduler); the numbers of a point do not depend on the runner or on how points are chunked.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from ..errors import DyntoolsError

if TYPE_CHECKING:
    import numpy as np

    from .config import SimulationConfig
    from .simulate import Prepared

SAVE_EVERY = 64  # points run together in process (vmapped by structure) between saves: what an interrupt can lose

Progress = Callable[[float, int], None]  # (points done, fractional within a chunk; points in all)
Results = list["dict[str, np.ndarray]"]  # per point of a chunk: the arrays saved for it
Compute = Callable[..., Results]  # (prepared points, theory_only, progress=None) -> Results


@dataclass(frozen=True)
class Work:
    """What a runner runs: the points of a sweep not yet finished.

    Attributes:
        points: every point of the sweep, built
            ([`Prepared`][dyntools.simulations.simulate.Prepared], see
            [`validate_sweep`][dyntools.simulations.sweep.validate_sweep]).
        todo: the indices into ``points`` of those to run, in order.
        theory_only: integrate only the effective ODE (no network is trained).
        compute: runs a chunk of points together, ``compute(prepared points, theory_only,
            progress=None)``, and returns their arrays
            ([`chunk_arrays`][dyntools.simulations.sweep.chunk_arrays]); ``progress`` is called
            with (SGD steps done, steps in all). A module-level function, so that it can be sent
            to other processes.
    """

    points: Sequence[Prepared]
    todo: Sequence[int]
    theory_only: bool
    compute: Compute

    @property
    def done(self) -> int:
        """The number of points finished before this run."""
        return len(self.points) - len(self.todo)

    def configs(self, chunk: Sequence[int]) -> list[SimulationConfig]:
        """The settings of the points ``chunk`` (to build them again elsewhere)."""
        return [self.points[i].config for i in chunk]


class Runner(ABC):
    """Computes a sweep's points in chunks; see the module docstring."""

    @abstractmethod
    def run(self, work: Work, progress: Progress | None = None) -> Iterator[tuple[list[int], Results]]:
        """Run the points ``work.todo``, yielding each chunk as it finishes.

        Every index of ``work.todo`` must be yielded exactly once; chunks may come in any order.
        The sweep saves a chunk before it resumes the iterator, and closes the iterator when it
        stops early (an error, an interrupt): release what the run holds in a ``finally``.

        Arguments:
            work: the points to run.
            progress: may be called with (points done, points in all) during a chunk (fractional
                counts welcome); the sweep reports each chunk it saves itself.

        Yields:
            ``(indices, results)``: the chunk's point indices and, in the same order, each
                point's arrays as ``work.compute`` returns them.
        """

    def close(self) -> None:
        """Release what the runner holds (a cluster's client); nothing by default. A runner is
        also a context manager that closes it."""

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class InProcess(Runner):
    """Run chunks of points in this process, one after another (the default runner).

    Arguments:
        chunk_size: points run together (vmapped where they share a structure) between saves:
            what an interrupt can lose. Default `SAVE_EVERY`.

    Raises:
        DyntoolsError: unless ``chunk_size`` is a whole number of at least 1.
    """

    def __init__(self, chunk_size: int = SAVE_EVERY):
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise DyntoolsError(f"a runner's chunk_size is a whole number of points from 1 (got {chunk_size!r})")
        self.chunk_size = chunk_size

    def __repr__(self) -> str:
        return f"InProcess(chunk_size={self.chunk_size})"

    def run(self, work: Work, progress: Progress | None = None) -> Iterator[tuple[list[int], Results]]:
        """Run the points in chunks of ``chunk_size``, in order; progress during training is the
        chunk's share of SGD steps done (see [`Runner.run`][dyntools.simulations.runners.Runner.run])."""
        total = len(work.points)
        for first in range(0, len(work.todo), self.chunk_size):
            chunk = list(work.todo[first:first + self.chunk_size])
            done = work.done + first
            within = None if progress is None else (
                lambda steps, all_steps, done=done, n=len(chunk): progress(done + n * steps / all_steps, total))
            yield chunk, work.compute([work.points[i] for i in chunk], work.theory_only, within)
