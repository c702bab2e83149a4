"""`dyntools inputs`: sample the task, check its statistics, plot."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import DyntoolsError
from ..inputs.spec import TaskSpec
from .app import app
from .common import (
    INPUT_BYTES,
    MAX_INPUT_SAMPLES,
    Force,
    Json,
    Out,
    Seed,
    check_out,
    clipping_lines,
    clone_label,
    emit,
    num,
    run_directory,
    save_figures,
    task_options,
)


@app.command()
@task_options()
def inputs(
    task: TaskSpec,
    samples: Annotated[int, typer.Option(help="Number of (x, y) samples.")] = 100_000,
    seed: Seed = 0,
    out: Out = None,
    force: Force = False,
    as_json: Json = False,
):
    """Sample the two-class task, check its statistics against the exact ones, plot it."""
    from .. import runs

    if not 1 <= samples <= MAX_INPUT_SAMPLES:
        raise DyntoolsError(f"--samples must be at least 1 and at most {MAX_INPUT_SAMPLES} (got {samples})")
    check_out(out, force)
    spec, task = task, task.build()
    if samples * task.n_pixels * 4 > INPUT_BYTES:
        raise DyntoolsError(f"{samples} samples of {task.n_pixels} pixels would take "
                            f"{samples * task.n_pixels * 4 / 2**30:.1f} GiB (at most {INPUT_BYTES / 2**30:g}); "
                            "lower --samples or --n-dims")
    with run_directory(out, force, "inputs") as out:
        x, y, stats = _sample(task, samples, seed)
        config = {"task": task.describe(), "spec": spec.as_dict(), "samples": samples, "seed": seed}
        with runs.staged_run(out, force) as stage:
            runs.save_arrays(stage, "samples.npz", x=x, y=y)
            runs.write_record(stage, "inputs", config, stats, seed)
            save_figures(stage)
    clip = stats["kernel_clipping"]
    lines = [
        f"{stats['model']} inputs, pixel marginal {stats['family']} "
        f"({stats['parameter_name'] or 'no parameter'} = {num(stats['parameter'])})"
        f"{clone_label(task.describe().get('clone_of'))}, shape {tuple(task.shape)}, xi = {spec.xi}",
        f"excess kurtosis: exact {stats['excess_kurtosis_exact']:.4f}, sample {stats['excess_kurtosis_sample']:.4f}",
        f"max |sample - exact| covariance entry: {stats['max_covariance_error']:.4g} "
        f"({stats['covariance_estimator']}, {samples} samples)",
        f"fraction of class 1: {stats['fraction_class1']:.4f}",
    ]
    lines += clipping_lines(clip)
    lines.append(f"wrote {out}/samples.npz, inputs.png, run.json")
    emit(stats, as_json, lines)


def _sample(task, samples: int, seed: int):
    """(x, y, statistics) of `samples` draws of the task."""
    import numpy as np

    from .._jax import jax
    from ..inputs.statistics import input_statistics

    x, y = task.sample(jax.random.PRNGKey(seed), samples)
    x, y = np.asarray(x, dtype=np.float32), np.asarray(y)
    stats = input_statistics(task, x, y)
    if not stats["finite"]:
        raise DyntoolsError("sampling produced non-finite values; please report this as a bug")
    return x, y, stats
