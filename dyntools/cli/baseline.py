"""`dyntools baseline` and `dyntools localization-map`: sparse coding and ICA on the same inputs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import DyntoolsError
from ..experiments.localization_map import KURTOSIS, LocalizationMapConfig
from ..registries import BASELINES, literal_attributes, literal_value
from ..inputs.spec import TaskSpec
from .app import command
from .common import (
    flag, entries, short,
    Batch, Force, Json, Out, Seed, check_out, clipping_lines, clone_label, emit, progress, run_directory, save_figures,
    task_options, defaults,
)

CONFIG = literal_attributes("dyntools.baselines.run", "BaselineConfig")
"""[`BaselineConfig`][dyntools.baselines.run.BaselineConfig]'s defaults, read without importing
JAX (a test keeps them equal to the class's)."""
MAP = defaults(LocalizationMapConfig)


def method_defaults(attribute: str) -> str:
    """``lca 1, warp-lca 1, wlsc 0.003; none for ica``: each baseline's default of ``attribute``
    (``default_lambda``, ``default_lr``), read from its class without importing it."""
    values = {name: BASELINES.attributes(name).get(attribute) for name in BASELINES.names()}
    given = ", ".join(f"{name} {short(v)}" for name, v in values.items() if isinstance(v, (int, float)))
    unused = [name for name, v in values.items() if v is None]
    return given + (f"; unused by {', '.join(unused)}" if unused else "")


Atoms = Annotated[Optional[int], typer.Option("--atoms", help="Dictionary size (ICA: components); default: as many "
                                                              "as pixels (ICA: as the data have dimensions).",
                                               show_default=False)]
Lambda = Annotated[Optional[float], typer.Option("--lambda", help="Sparsity penalty (default: the method's: "
                                                                 f"{method_defaults('default_lambda')}).")]
Threshold = Annotated[str, typer.Option(help="LCA threshold: " + " or ".join(
    f"{name} ({penalty})" for name, penalty in literal_value("dyntools.baselines.lca", "THRESHOLDS").items()) + ".")]


def _trainer(config, images: str | None, patch_size: int, spec: TaskSpec):
    """``train(update) -> BaselineResult`` on the task's inputs or on natural-image patches, its
    inputs checked now (before any work)."""
    from ..baselines import task_sampler, train_baseline, train_on_images
    from ..inputs.task import build_task

    if images is None:
        task = build_task(spec)
        n_pixels = math.prod(task.shape)
        config.check_size(n_pixels)
        description = {"inputs": "task", **task.describe()}
        return lambda update: train_baseline(task_sampler(task), n_pixels, config, update, inputs=description)
    if spec.gaussian_clone:
        raise DyntoolsError("--gaussian-clone applies to the task's inputs, not to --images")
    from ..inputs.images import check_images, default_images, read_images

    image_set = read_images(images) if images else default_images()
    check_images(image_set, patch_size)
    config.check_size(patch_size**2)
    return lambda update: train_on_images(config, patch_size, image_set, update)


@command()
@task_options()
def baseline(
    method: Annotated[str, typer.Argument(help=entries(BASELINES, "The baseline"))],
    task: TaskSpec,
    images: Annotated[Optional[str], typer.Option(
        "--images", metavar="[PATH]", show_default=False,
        help="Train on whitened natural-image patches instead: scikit-image's photographs, or PATH (a folder of "
             "PNG/TIFF files, a .npy stack, Olshausen's IMAGES.mat, van Hateren .iml/.imc files).")] = None,
    patch_size: Annotated[int, typer.Option("--patch-size", help="Patch side with --images (8-16 typical).")] = 12,
    atoms: Atoms = CONFIG["atoms"],
    lam: Lambda = CONFIG["lam"],
    threshold: Threshold = CONFIG["threshold"],
    nonneg: Annotated[bool, flag("--nonneg", help="Non-negative LCA codes.")] = CONFIG["nonneg"],
    steps: Annotated[int, typer.Option(help="Training steps (dictionary updates).")] = CONFIG["steps"],
    batch: Batch = CONFIG["batch"],
    lr: Annotated[Optional[float], typer.Option("--lr", help="Dictionary learning rate (default: the method's: "
                                                             f"{method_defaults('default_lr')}).")] = CONFIG["lr"],
    samples: Annotated[int, typer.Option(help="ICA data set / WARP-LCA training set size.")] = CONFIG["samples"],
    seed: Seed = CONFIG["seed"],
    out: Out = None,
    force: Force = False,
    as_json: Json = False,
):
    """Train a sparse-coding or ICA baseline; report how localized its atoms are."""
    from .. import runs
    from ..baselines import BaselineConfig
    from ..baselines.ica import MAX_ITER

    check_out(out, force)
    config = BaselineConfig(method, atoms, lam, threshold, nonneg, steps, batch, samples, seed, lr)
    config.validate()
    train = _trainer(config, images, patch_size, task)
    with run_directory(out, force, "baseline") as out:
        unit = ("iterations", MAX_ITER) if method == "ica" else ("steps", config.steps)
        with progress(f"{method} training", unit[1], unit[0]) as update:
            result = train(update)
        with runs.staged_run(out, force) as stage:
            runs.save_arrays(stage, "dictionary.npz", atoms=result.atoms, **result.arrays)
            record = runs.write_record(stage, "baseline", result.record_config, result.summary, seed)
            figures = save_figures(stage)
    emit(result.summary, as_json, [*summary_lines(runs.restore_non_finite(record), out),
                                   f"wrote {out}/dictionary.npz, {', '.join(figures)}, run.json"])


def _grid(inputs: dict) -> tuple[int, ...]:
    return tuple(inputs["shape"]) if "shape" in inputs else (inputs["patch_size"],) * 2 if "patch_size" in inputs else (0,)


def _gabor_line(what: str, summary: dict, prefix: str) -> str:
    return (f"{what}: {100 * summary[prefix + 'gabor_share']:.0f}% Gabor-like and localized (Gabor fit R^2 median "
            f"{summary[prefix + 'gabor_r2_median']:.2f}; nx {summary[prefix + 'gabor_nx_median']:.2f}, "
            f"ny {summary[prefix + 'gabor_ny_median']:.2f})")


def summary_lines(record: dict, directory: Path) -> list[str]:
    """What a baseline run reports (the command prints it; so does ``dyntools show``)."""
    summary, method, inputs = record["summary"], record["config"]["baseline"]["method"], record["config"]["inputs"]
    lines = [f"{method}{clone_label(inputs.get('clone_of'))}: {summary['atoms']} atoms, "
             f"IPR median {summary['ipr_median']:.4f} "
             f"(quartiles {summary['ipr_q1']:.4f} - {summary['ipr_q3']:.4f}, range {summary['ipr_min']:.4f} - {summary['ipr_max']:.4f})"]
    if "iterations_cold" in summary:  # a warm-started method (WARP-LCA)
        lines.append(f"to reach cold-start LCA's energy (+{100 * summary['target_rel_tol']:g}%) on 1000 held-out inputs: "
                     f"cold {summary['iterations_cold']:.1f} iterations / {1e3 * summary['wall_time_cold_s']:.1f} ms, "
                     f"warm {summary['iterations_warm']:.1f} iterations / {1e3 * summary['wall_time_warm_s']:.1f} ms")
        lines.append(f"final energy: cold {summary['final_energy_cold']:.4f}, warm {summary['final_energy_warm']:.4f}")
    pixels = math.prod(_grid(inputs))
    if "components" in summary and summary["components"] < pixels:
        lines.append(f"ICA: {summary['components']} components; the data span {summary['rank']} of {pixels} dimensions"
                     + (" (each patch's mean removed; whitening's low-pass removes the finest checkerboards)"
                        if "patch_size" in inputs and summary["rank"] < pixels else ""))
    if "gabor_share" in summary:
        lines.append(_gabor_line("atoms", summary, ""))
        lines.append(_gabor_line("PCA components (control)", summary, "pca_"))
    if summary.get("converged") is False:
        lines.append(f"warning: ICA did not converge in {summary['iterations']} iterations; its filters are not final")
    if summary.get("inference_converged") is False:
        lines.append(f"warning: LCA inference with the final dictionary did not converge in "
                     f"{summary['inference_iterations']} iterations (held-out batch); codes are approximate")
    return lines + clipping_lines(inputs.get("clipping", {}))


@command("localization-map")
@task_options(marginal=False)
def localization_map(
    task: TaskSpec,
    kurtosis: Annotated[str, typer.Option("--kurtosis", help="Excess kurtosis values: START:STOP:COUNT or V1,V2,...")] = ":".join(map(short, KURTOSIS)),
    methods: Annotated[str, typer.Option(help="Comma-separated baselines (of: " + ", ".join(BASELINES.names()) + ").")] = ",".join(MAP["methods"]),
    atoms: Atoms = MAP["atoms"],
    lam: Lambda = MAP["lam"],
    steps: Annotated[int, typer.Option(help="Training steps per baseline.")] = MAP["steps"],
    seed: Seed = MAP["seed"],
    out: Out = None,
    force: Force = False,
    as_json: Json = False,
):
    """Median atom IPR of every baseline next to the supervised neuron's IPR, across kurtosis."""
    import numpy as np

    from .. import runs
    from ..experiments.localization_map import LocalizationMapConfig, localization_map as run_map
    from .sweep import parse_values

    check_out(out, force)
    config = LocalizationMapConfig(kurtosis=tuple(float(k) for k in parse_values(kurtosis)),
                                   methods=tuple(m.strip() for m in methods.split(",") if m.strip()), task=task,
                                   atoms=atoms, lam=lam, steps=steps, seed=seed)
    config.baselines(), config.points()  # every setting and point checked before any training
    with run_directory(out, force, "localization-map") as out:
        with progress("localization map", len(config.kurtosis), "kurtosis values") as update:
            table = run_map(config, progress=update).table
        values = table["excess_kurtosis"]
        with runs.staged_run(out, force) as stage:
            runs.save_arrays(stage, "localization_map.npz", excess_kurtosis=values,
                             **{name.replace(" ", "_"): np.array(v) for name, v in table["median_ipr"].items()})
            record = runs.restore_non_finite(runs.write_record(stage, "localization-map", config.as_dict(), table, seed))
            save_figures(stage)
    emit(table, as_json, [*localization_map_lines(record, out),
                          f"wrote {out}/localization_map.npz, localization_map.png, run.json"])


def localization_map_lines(record: dict, directory: Path) -> list[str]:
    """What a localization-map run reports (the command prints it; so does ``dyntools show``)."""
    from ..metrics import random_field_ipr

    table, config = record["summary"], record["config"]
    n_pixels = TaskSpec(**config["task"]).n_pixels if "task" in config else config["n_dims"]  # 0.x: n_dims
    families = table.get("family") or [""] * len(table["excess_kurtosis"])  # 0.x records: none
    header = f"{'excess kurtosis':>16}{'pixels':>9}" + "".join(f"{name:>19}" for name in table["median_ipr"])
    rows = [f"{k:16.2f}{families[i]:>9}" + "".join(f"{table['median_ipr'][n][i]:19.4f}" for n in table["median_ipr"])
            for i, k in enumerate(table["excess_kurtosis"])]
    return [header, *rows, f"(random field IPR ~ {random_field_ipr(n_pixels):.3f})"]


