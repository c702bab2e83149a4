"""Sweeps on a Dask cluster: chunks of points are tasks; the client saves each finished chunk.

[`DaskCluster`][dyntools.simulations.cluster.DaskCluster] is the
[`Runner`][dyntools.simulations.runners.Runner] to pass to
[`run_sweep`][dyntools.simulations.sweep.run_sweep] for this: it sends every chunk of points to
the cluster as one task (the points' settings go, the workers build their tasks and theories and
run them vmapped, exactly as in process) and hands each chunk's arrays back as it arrives; the
sweep saves them in its [`ChunkStore`][dyntools.simulations.chunks.ChunkStore], so an interrupted
sweep resumes from the chunks already saved and a lost worker costs only its chunk: the
scheduler runs it again elsewhere. Workers need dyntools installed (the same version); they need
no shared file system, since results come back to the client.

- [`local_client`][dyntools.simulations.cluster.local_client]: a ``LocalCluster`` of
  single-threaded worker processes (spawned, each held to one CPU core) on this machine.
- [`remote_client`][dyntools.simulations.cluster.remote_client]: a client of an existing
  scheduler (``tcp://HOST:PORT``), e.g. one whose workers dask-jobqueue submits to Slurm or PBS
  (docs: "Sweeps at scale").
"""

from __future__ import annotations

import logging
import math
import os
import re
from typing import TYPE_CHECKING, Iterator

from ..errors import DyntoolsError
from .runners import Compute, Progress, Results, Runner, Work

if TYPE_CHECKING:
    from distributed import Client

    from .config import SimulationConfig

TASKS_PER_WORKER = 4  # chunks per worker: enough to balance, few enough to share compiled programs
CONNECT_SECONDS = 10
# one thread per worker process: BLAS and OpenMP would otherwise each start one per core, and XLA's
# Eigen its own; XLA's CPU pool is sized by the cores a process may use (see `pin_to_one_core`)
SINGLE_THREADED = {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false",
                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
JAX_SETTINGS = ("jax_enable_x64", "jax_compilation_cache_dir", "jax_persistent_cache_min_compile_time_secs")
WORKERS_PER_CORE = 4  # a local cluster's most single-threaded workers per CPU core
ADDRESS = re.compile(r"tcp://([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>[0-9]{1,5})")  # host name, IPv4 or [IPv6]


def max_local_workers() -> int:
    """The most worker processes a `local_client` starts: `WORKERS_PER_CORE` per CPU core."""
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


def valid_address(address: str) -> bool:
    """Whether ``address`` is ``tcp://HOST:PORT`` with PORT from 1 to 65535 in ASCII digits (checked
    before connecting: a bad one would wait out the connection timeout)."""
    match = ADDRESS.fullmatch(address)
    return match is not None and 1 <= int(match["port"]) <= 65535


def close(client: Client) -> None:
    """Close a client and, for a `local_client`, its cluster (worker processes included).

    Arguments:
        client: the client.
    """
    cluster = client.cluster
    client.close()
    if cluster is not None:
        cluster.close()


def pin_to_one_core(index: int) -> None:
    """Hold this process, every thread of it, to one of the CPU cores it may use: the
    ``index``-th, cyclically. XLA starts one thread per usable core in its CPU pool, so a process
    pinned before its first JAX computation runs one (without it: one per core of the machine,
    whatever ``XLA_FLAGS`` say). Nothing happens where the system cannot pin threads (not Linux).

    Arguments:
        index: which usable core (e.g. the worker's number), modulo their count.
    """
    if not (hasattr(os, "sched_setaffinity") and os.path.isdir("/proc/self/task")):
        return
    cores = sorted(os.sched_getaffinity(0))
    core = {cores[index % len(cores)]}
    for thread in os.listdir("/proc/self/task"):  # a thread's mask is its own: set every one
        try:
            os.sched_setaffinity(int(thread), core)
        except ProcessLookupError:  # the thread ended meanwhile
            pass


def _one_core_per_worker():
    """A Dask worker plugin that pins each worker of a `local_client` to one core (worker ``i`` to
    usable core ``i``, cyclically; a restarted worker keeps its number)."""
    from distributed import WorkerPlugin

    class OneCorePerWorker(WorkerPlugin):
        name = "dyntools-one-core-per-worker"

        def setup(self, worker):
            pin_to_one_core(int(worker.name))

    return OneCorePerWorker()


def local_client(workers: int) -> Client:
    """A Dask client of a new ``LocalCluster``: ``workers`` single-threaded worker processes.

    Workers are spawned (not forked: JAX is not fork-safe), each limited to one BLAS and OpenMP
    thread and pinned to one CPU core (`pin_to_one_core`: one XLA thread; several workers per
    core share it), and restarted by their nanny if they die.

    Arguments:
        workers: the number of worker processes, 1 to `max_local_workers`.

    Returns:
        The connected ``distributed.Client`` (close it, and its cluster, when done).

    Raises:
        DyntoolsError: unless ``1 <= workers <=`` `max_local_workers`.
    """
    if not 1 <= workers <= max_local_workers():
        raise DyntoolsError(f"a local cluster takes 1 to {max_local_workers()} workers ({WORKERS_PER_CORE} per CPU "
                            f"core here; got {workers})")
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               env=SINGLE_THREADED, silence_logs=logging.ERROR)
    client = Client(cluster)
    client.register_plugin(_one_core_per_worker())
    return client


def remote_client(address: str, timeout: float | None = None) -> Client:
    """A Dask client of an existing scheduler.

    Arguments:
        address: the scheduler's address, ``tcp://HOST:PORT``.
        timeout: seconds to wait for the connection (default `CONNECT_SECONDS`).

    Returns:
        The connected ``distributed.Client``.

    Raises:
        DyntoolsError: for an address that is not `valid_address`, or if the scheduler cannot be
            reached within ``timeout``.
    """
    from distributed import Client

    if not valid_address(address):
        raise DyntoolsError(f"a scheduler address is tcp://HOST:PORT with PORT from 1 to 65535 (got {address!r})")

    try:
        return Client(address, timeout=f"{timeout or CONNECT_SECONDS}s")
    except (OSError, TimeoutError, ValueError) as err:
        raise DyntoolsError(f"cannot reach the Dask scheduler at {address} ({err or type(err).__name__}); "
                            "start one with `dask scheduler` or use local:N") from None


class DaskCluster(Runner):
    """A runner that sends chunks of points to a Dask cluster's workers as tasks.

    Each chunk goes as one task (the points' settings and the sweep's compute function go; the
    worker builds the points and runs them exactly as in process, with the client's JAX settings)
    and comes back to be saved as soon as it finishes, whatever the order. A worker that dies
    costs only its chunk: the scheduler runs it again elsewhere.

    Arguments:
        client: a connected ``distributed.Client`` (see `local_client`, `remote_client`, or
            any, e.g. of a dask-jobqueue cluster).
        tasks_per_worker: chunks per worker (default `TASKS_PER_WORKER`): enough to balance the
            load, few enough that a worker's points share compiled programs.

    Attributes:
        client: the client.

    Raises:
        DyntoolsError: unless ``tasks_per_worker`` is a whole number of at least 1.
    """

    def __init__(self, client: Client, tasks_per_worker: int = TASKS_PER_WORKER):
        if isinstance(tasks_per_worker, bool) or not isinstance(tasks_per_worker, int) or tasks_per_worker < 1:
            raise DyntoolsError(f"tasks_per_worker is a whole number from 1 (got {tasks_per_worker!r})")
        self.client = client
        self.tasks_per_worker = tasks_per_worker

    def __repr__(self) -> str:
        return f"DaskCluster({self.client!r})"

    @classmethod
    def local(cls, workers: int) -> DaskCluster:
        """A runner on a new ``LocalCluster`` of ``workers`` single-threaded processes (see
        `local_client`); [`close`][dyntools.simulations.cluster.DaskCluster.close] it when done."""
        return cls(local_client(workers))

    @classmethod
    def remote(cls, address: str, timeout: float | None = None) -> DaskCluster:
        """A runner on the existing scheduler at ``address`` (``tcp://HOST:PORT``, see
        `remote_client`); [`close`][dyntools.simulations.cluster.DaskCluster.close] it when done."""
        return cls(remote_client(address, timeout))

    def close(self) -> None:
        """Close the client and, for a local cluster, the cluster (see `close`)."""
        close(self.client)

    def run(self, work: Work, progress: Progress | None = None) -> Iterator[tuple[list[int], Results]]:
        """Submit every chunk, then yield each as it completes; the chunks still out are
        cancelled when the sweep stops early (an error, an interrupt).

        Chunks hold ``ceil(len(todo) / (tasks_per_worker x workers))`` points. ``progress`` is
        not called during a chunk (the sweep reports each chunk it saves).

        Raises:
            DyntoolsError: the first failing chunk's error (the other chunks are cancelled).
        """
        import jax
        from distributed import as_completed

        todo = list(work.todo)
        workers = max(1, len(self.client.scheduler_info()["workers"]))
        size = max(1, math.ceil(len(todo) / (self.tasks_per_worker * workers)))
        chunks = [todo[first:first + size] for first in range(0, len(todo), size)]
        settings = {name: getattr(jax.config, name) for name in JAX_SETTINGS}
        futures = {self.client.submit(run_chunk, work.compute, work.configs(chunk), work.theory_only, settings,
                                      pure=False): chunk
                   for chunk in chunks}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            self.client.cancel(list(futures))


def run_chunk(compute: Compute, configs: list[SimulationConfig], theory_only: bool, settings: dict) -> Results:
    """The task a worker runs: one chunk of points, with the client's JAX settings.

    The worker takes the client's 64-bit float and compilation-cache settings, so its numbers
    are the client's; the points are prepared and run exactly as in process.

    Arguments:
        compute: the sweep's chunk function ([`Work.compute`][dyntools.simulations.runners.Work]).
        configs: the points' settings.
        theory_only: integrate only the effective ODE.
        settings: JAX configuration values by name (`JAX_SETTINGS`).

    Returns:
        Per point, the arrays ``compute`` returns.
    """
    import jax

    from .simulate import prepare

    for name, value in settings.items():
        if getattr(jax.config, name) != value:
            jax.config.update(name, value)
    return compute([prepare(config, network=not theory_only) for config in configs], theory_only)
