"""`dyntools inputs`: sample the task, check its statistics, plot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import DyntoolsError
from ..inputs.spec import TaskSpec
from .app import command
from .common import (
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


@command()
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
    from ..memory import check_memory
    from ..inputs.task import build_task

    if not 1 <= samples <= MAX_INPUT_SAMPLES:
        raise DyntoolsError(f"--samples must be at least 1 and at most {MAX_INPUT_SAMPLES} (got {samples})")
    check_out(out, force)
    check_memory(samples * task.n_pixels * 4, f"{samples} samples of {task.n_pixels} pixels", ("samples", "n_dims"))
    spec, task = task, build_task(task)
    with run_directory(out, force, "inputs") as out:
        x, y, stats = _sample(task, samples, seed)
        config = {"task": task.describe(), "spec": spec.as_dict(), "samples": samples, "seed": seed}
        with runs.staged_run(out, force) as stage:
            runs.save_arrays(stage, "samples.npz", x=x, y=y)
            record = runs.restore_non_finite(runs.write_record(stage, "inputs", config, stats, seed))
            save_figures(stage)
    emit(stats, as_json, [*summary_lines(record, out), f"wrote {out}/samples.npz, inputs.png, run.json"])


def summary_lines(record: dict, directory: Path) -> list[str]:
    """What an inputs run reports (the command prints it; so does ``dyntools show``)."""
    stats, config = record["summary"], record["config"]
    spec = config.get("spec") or config.get("options", {})  # 0.x records: the options
    xi = (spec.get("xi0"), spec.get("xi1")) if "xi0" in spec else spec.get("xi")
    lines = [
        f"{stats['model']} inputs, pixel marginal {stats['family']} "
        f"({stats['parameter_name'] or 'no parameter'} = {num(stats['parameter'])})"
        f"{clone_label(config['task'].get('clone_of'))}, shape {tuple(config['task']['shape'])}, xi = {xi}",
        f"excess kurtosis: exact {stats['excess_kurtosis_exact']:.4f}, sample {stats['excess_kurtosis_sample']:.4f}",
        f"max |sample - exact| covariance entry: {stats['max_covariance_error']:.4g} "
        f"({stats['covariance_estimator']}, {config['samples']} samples)",
        f"fraction of class 1: {stats['fraction_class1']:.4f}",
    ]
    return lines + clipping_lines(stats["kernel_clipping"])


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
