"""`dyntools simulate`: theory and network from the same initial weights."""

from __future__ import annotations

import math
from pathlib import Path

from ..simulations.config import SimulationConfig
from .app import command
from .common import Force, Json, Out, clipping_lines, clone_label, emit, num, progress, run_directory, save_figures, simulation_options


@command()
@simulation_options()
def simulate(
    config: SimulationConfig,
    out: Out = None,
    force: Force = False,
    as_json: Json = False,
):
    """Integrate the effective ODE and train the network from the same initial weights; compare."""
    from .. import runs
    from ..simulations import run_simulation

    with run_directory(out, force, "simulate") as out:
        with progress("training", config.steps, "steps") as update:
            result = run_simulation(config, update)
        summary = result.summary.as_dict()
        with runs.staged_run(out, force) as stage:
            runs.save_arrays(stage, "trajectories.npz", **result.arrays)
            record = runs.write_record(stage, "simulate", {"simulation": config.as_dict(),
                                                           "task": result.task_description}, summary, config.seed)
            save_figures(stage)
    figures = "theory_vs_simulation.png, receptive_fields.png" if config.neurons > 1 else "theory_vs_simulation.png"
    lines = summary_lines(runs.restore_non_finite(record), out)
    emit(summary, as_json, [*lines, f"wrote {out}/trajectories.npz, {figures}, run.json"])


def summary_lines(record: dict, directory: Path) -> list[str]:
    """What a simulate run reports (the command prints it; so does ``dyntools show``)."""
    chose = record["config"].get("simulation", {}).get("task", {}).get("family") == "auto"
    return _simulation_lines(record["summary"], chose)


def _agreement(time: float | None, end: float) -> str:
    if time is None:
        return "never at least 0.9"
    return f"at least 0.9 to the end (t = {end:g})" if time >= end else f"last at least 0.9 at t = {time:g}"


def _simulation_lines(s: dict, chose_family: bool = False) -> list[str]:
    def when(x):
        return "not localized" if x is None else f"localized at t = {x:g}"

    inputs = (clone_label(s["clone_of"]).strip(" ()") if s["clone_of"] else
              f"{s['family']} ({s['parameter_name'] or 'no parameter'} = {num(s['parameter'])}), "
              f"excess kurtosis {num(s['excess_kurtosis'])}"
              + (" (the family --family auto takes for this kurtosis)" if chose_family else ""))
    lines = [
        f"inputs: {inputs}, N = {s['n_pixels']}",
        *clipping_lines(s["kernel_clipping"]),
        f"network IPR (final): {s['ipr_sim_final_mean']:.4f} +- {s['ipr_sim_final_std']:.4f} over seeds "
        f"(random field ~{s['ipr_random']:.3f}, localized >= {s['ipr_localized_threshold']:.3f}); "
        f"{when(s['time_to_localization_sim'])}",
    ]
    if s["theory"] is None:
        lines.append("theory: none (the effective ODE covers the committee machine of ReLU units without bias)")
    else:
        lines += [
            f"theory IPR (final): {s['ipr_theory_final']:.4f}; {when(s['time_to_localization_theory'])}",
            f"cosine(theory, network): final {s['cosine_final']:.3f}, lowest {s['cosine_min']:.3f}; "
            + _agreement(s["theory_agreement_time"], s.get("t_final", math.inf)),  # 0.x records: no t_final
            f"({s['theory_validity']})",
        ]
    if "sinusoid_residual_sim_final" in s:
        lines.append(f"sinusoid-fit residual (final): network {s['sinusoid_residual_sim_final']:.3f}"
                     + (f", theory {s['sinusoid_residual_theory_final']:.3f}" if "sinusoid_residual_theory_final" in s else ""))
    return lines


