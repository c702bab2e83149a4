"""Sweeps on a Dask cluster: chunks of points are tasks; the client saves each finished chunk.

A sweep sends every chunk of points to the cluster as one task (the points' settings go, the
workers build their tasks and theories and run them vmapped, exactly as in process) and saves
each chunk's arrays in the sweep's partial directory as it arrives, so an interrupted sweep
resumes from the chunks already saved and a lost worker costs only its chunk: the scheduler
runs it again elsewhere. Workers need dyntools installed (the same version); they need no
shared file system, since results come back to the client.

- [`local_client`][dyntools.simulations.cluster.local_client]: a ``LocalCluster`` of
  single-threaded worker processes (spawned, one XLA thread each) on this machine.
- [`remote_client`][dyntools.simulations.cluster.remote_client]: a client of an existing
  scheduler (``tcp://HOST:PORT``), e.g. one whose workers dask-jobqueue submits to Slurm or PBS
  (docs: "Sweeps at scale").
"""

from __future__ import annotations

import logging
import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import DyntoolsError

if TYPE_CHECKING:
    from distributed import Client

    from .config import SimulationConfig

TASKS_PER_WORKER = 4  # chunks per worker: enough to balance, few enough to share compiled programs
CONNECT_SECONDS = 10
# one thread per worker process: XLA, BLAS and OpenMP would otherwise each start one per core
SINGLE_THREADED = {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
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


def local_client(workers: int) -> Client:
    """A Dask client of a new ``LocalCluster``: ``workers`` single-threaded worker processes.

    Workers are spawned (not forked: JAX is not fork-safe), each limited to one XLA, BLAS and
    OpenMP thread, and restarted by their nanny if they die.

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
    return Client(cluster)


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


def run_on_cluster(client: Client, paths: list[Path], configs: list[SimulationConfig], todo: list[int],
                   theory_only: bool, progress: Callable[[int, int], None] | None) -> None:
    """Run the points ``todo`` as chunk tasks on ``client``'s workers and save each chunk as it arrives.

    Arguments:
        client: the Dask client.
        paths: every point's file in the partial directory.
        configs: every point's settings.
        todo: the indices of the points still to run.
        theory_only: integrate only the effective ODE.
        progress: called with (points done, points in all) after each saved chunk.

    Raises:
        DyntoolsError: the first failing chunk's error (the other chunks are cancelled).
    """
    import jax
    from distributed import as_completed

    from .sweep import save_chunk

    workers = max(1, len(client.scheduler_info()["workers"]))
    size = max(1, math.ceil(len(todo) / (TASKS_PER_WORKER * workers)))
    chunks = [todo[first:first + size] for first in range(0, len(todo), size)]
    settings = {name: getattr(jax.config, name) for name in JAX_SETTINGS}
    futures = {client.submit(run_chunk, [configs[i] for i in chunk], theory_only, settings, pure=False): chunk
               for chunk in chunks}
    done = len(configs) - len(todo)
    try:
        for future in as_completed(futures):
            chunk = futures[future]
            save_chunk([paths[i] for i in chunk], future.result())
            done += len(chunk)
            if progress is not None:
                progress(done, len(configs))
    finally:
        client.cancel(list(futures))


def run_chunk(configs: list[SimulationConfig], theory_only: bool, settings: dict) -> list[dict]:
    """The task a worker runs: one chunk of points, with the client's JAX settings.

    The worker takes the client's 64-bit float and compilation-cache settings, so its numbers
    are the client's; the points are prepared and run exactly as in process.

    Arguments:
        configs: the points' settings.
        theory_only: integrate only the effective ODE.
        settings: JAX configuration values by name (`JAX_SETTINGS`).

    Returns:
        Per point, the arrays of [`chunk_arrays`][dyntools.simulations.sweep.chunk_arrays].
    """
    import jax

    from .simulate import prepare
    from .sweep import chunk_arrays

    for name, value in settings.items():
        if getattr(jax.config, name) != value:
            jax.config.update(name, value)
    return chunk_arrays([prepare(config, network=not theory_only) for config in configs], theory_only)
