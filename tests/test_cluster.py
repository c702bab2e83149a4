"""Sweeps on a Dask cluster give the in-process numbers, survive a lost worker, and refuse bad addresses."""

import os
import signal
import sys
from pathlib import Path

import numpy as np
import pytest

from dyntools.inputs import TaskSpec
from dyntools.simulations import SimulationConfig
from dyntools.simulations import cluster
from dyntools.simulations.sweep import Grid, partial_directory, run_sweep

BASE = SimulationConfig(task=TaskSpec(family="alg", n_dims=12), steps=40, batch=100, seeds=2, saves=4)
GRID = Grid({"kurtosis": [-1.0, -0.5, 0.0, 0.5, 1.0, 2.0]})


def test_local_cluster_sweep_with_a_worker_killed_mid_sweep_equals_the_in_process_sweep(tmp_path):
    alone = run_sweep(tmp_path / "alone", BASE, GRID).dataset
    killed = []

    with cluster.DaskCluster.local(2) as runner:
        def kill_a_worker_after_the_first_chunk(done, total):
            if done >= 1 and not killed:  # chunks of one point: the other workers' chunks are still running or queued
                pid = next(iter(runner.client.run(os.getpid).values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        on_cluster = run_sweep(tmp_path / "cluster", BASE, GRID, progress=kill_a_worker_after_the_first_chunk,
                               runner=runner).dataset

        def threads():  # (the cores each thread may use, the names of the threads) in a worker
            import jax.numpy as jnp

            jnp.ones(3).sum().block_until_ready()  # XLA's CPU pool started (not yet in a worker back after the sweep)
            tasks = os.listdir("/proc/self/task")
            return ({tuple(sorted(os.sched_getaffinity(int(t)))) for t in tasks},
                    [Path(f"/proc/self/task/{t}/comm").read_text().strip() for t in tasks])

        runner.client.wait_for_workers(2, timeout=60)  # the killed worker back
        workers = list(runner.client.run(threads).values()) if sys.platform == "linux" else []
    for masks, names in workers:  # each worker, the restarted one too, on one core: one XLA thread
        [mask] = masks
        assert len(mask) == 1 and names.count("tf_XLAEigen") == 1, (masks, names)
    if workers and len(os.sched_getaffinity(0)) > 1:
        assert len({masks.pop() for masks, _ in workers}) == 2  # on different cores
    assert killed and sorted(on_cluster.data_vars) == sorted(alone.data_vars)
    for name in alone.data_vars:
        assert np.array_equal(on_cluster[name].values, alone[name].values, equal_nan=True), name
    assert len(list(partial_directory(tmp_path / "cluster").glob("point_*.npz"))) == 6


def test_cluster_option_refuses_bad_values_and_unreachable_schedulers_before_any_work(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    tiny = ["--kurtosis", "0", "--n-dims", "8", "--steps", "4", "--batch", "8", "--seeds", "1", "--saves", "1"]
    for value, message in (("local:0", "local:N needs a whole number"), ("local:two", "local:N needs a whole number"),
                           ("slurm", "must be none, local:N or tcp://HOST:PORT"),
                           ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler at tcp://127.0.0.1:9")):
        code, _, stderr = cli("sweep", *tiny, "--cluster", value, "--out", tmp_path / "s")
        assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1, (value, stderr)
    assert list(tmp_path.iterdir()) == []


def test_the_slurm_example_configuration_writes_a_single_threaded_worker_job():
    pytest.importorskip("dask_jobqueue")
    sys.path.insert(0, str(Path(__file__).parents[1] / "examples"))
    try:
        import slurm_sweep
    finally:
        sys.path.pop(0)
    slurm = slurm_sweep.slurm_cluster()
    try:
        script = slurm.job_script()
    finally:
        slurm.close()
    assert "#SBATCH -p cpu" in script and "#SBATCH --cpus-per-task=1" in script and "#SBATCH --mem=4G" in script
    assert "source ~/venvs/dyntools/bin/activate" in script and "--xla_cpu_multi_thread_eigen=false" in script
    worker = script.strip().splitlines()[-1]
    assert worker.startswith("python -m distributed.cli.dask_worker tcp://") and "--nthreads 1" in worker
