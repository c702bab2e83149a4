"""A sweep on a Slurm cluster through dask-jobqueue (``pip install dask-jobqueue``).

Each Slurm job is one single-threaded Dask worker with dyntools installed; the sweep sends it
chunks of points and this script (the client, e.g. on a login node) saves each finished chunk.
Kill the script and run it again: it resumes from the saved chunks. Adapt `SLURM` to your site
(queue, account, memory, the environment the jobs activate), then:

    python examples/slurm_sweep.py --jobs 20 --out runs/paper-sweep

For PBS use ``dask_jobqueue.PBSCluster`` with the same settings. From the command line instead,
start a scheduler and workers yourself and pass ``dyntools sweep --cluster tcp://HOST:8786``.
"""

import argparse

import jax

# One Dask worker per Slurm job, one thread each: BLAS and OpenMP held to one thread, XLA's Eigen
# too, and XLA's CPU pool sized by the one core the job is bound to (--cpus-per-task=1, with
# Slurm's task/affinity or cgroup plugin binding it).
SLURM = {
    "queue": "cpu",
    "account": None,
    "cores": 1,
    "processes": 1,
    "memory": "4GB",
    "walltime": "04:00:00",
    "job_script_prologue": ["source ~/venvs/dyntools/bin/activate"],
    "python": "python",  # the job's Python: the environment the prologue activates
}
THREAD_LIMITS = ["export XLA_FLAGS='--xla_cpu_multi_thread_eigen=false'",
                 "export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1"]


def slurm_cluster(**overrides):
    """A dask-jobqueue SLURMCluster with `SLURM` (plus ``overrides``); no job starts until it is scaled."""
    from dask_jobqueue import SLURMCluster

    settings = {key: value for key, value in {**SLURM, **overrides}.items() if value is not None}
    settings["job_script_prologue"] = [*settings.get("job_script_prologue", []), *THREAD_LIMITS]
    return SLURMCluster(**settings)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--out", default="runs/paper-sweep")
    args = parser.parse_args()

    from distributed import Client

    from dyntools.inputs import TaskSpec
    from dyntools.simulations import SimulationConfig
    from dyntools.simulations.cluster import DaskCluster
    from dyntools.simulations.sweep import Grid, run_sweep

    jax.config.update("jax_enable_x64", True)  # the workers take the client's JAX settings
    cluster = slurm_cluster()
    cluster.scale(jobs=args.jobs)
    with Client(cluster) as client:
        # the paper's sweep: 20 NLGP gains x 30 seeds, N = 40, xi = (0.3, 0.7), batch 5000, 10,000 steps
        base = SimulationConfig(task=TaskSpec(family="nlgp", n_dims=40, xi0=0.3, xi1=0.7), batch=5000, lr=0.1, steps=10_000, seeds=30)
        gains = Grid({"param": [0.01 * 1.6 ** i for i in range(20)]})
        result = run_sweep(args.out, base, gains, runner=DaskCluster(client))
        result.dataset.to_netcdf(f"{args.out}.nc", engine="h5netcdf")
    cluster.close()


if __name__ == "__main__":
    main()
