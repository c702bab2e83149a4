"""Sweeps of theory and network over excess kurtosis (or a family parameter such as the NLGP
gain), resumable: each finished point is saved on its own in a hidden sibling of the run
directory, and a rerun of the same sweep skips it.

Every point is validated (its task and theory built) before the first one runs. A sweep that
fails removes its finished points; one that is interrupted (Ctrl-C, a killed process) keeps
them for the next run of the same command. A finished run is replaced only when the new one is
complete.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import DyntoolsError
from ..metrics import critical_kurtosis, critical_kurtosis_bootstrap
from ..runs import jsonable
from .simulate import SimulationConfig, prepare, run_simulation


def parse_values(text: str) -> np.ndarray:
    """'start:stop:count' (inclusive, evenly spaced) or 'v1,v2,...'; finite numbers only."""
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            if not 1 <= int(count) <= 100_000:
                raise ValueError
            values = np.linspace(float(start), float(stop), int(count))
        else:
            values = np.array([float(v) for v in text.split(",")])
    except ValueError:
        raise DyntoolsError(f"cannot read sweep values '{text}': use START:STOP:COUNT (COUNT from 1 to 100000) "
                            "or V1,V2,...") from None
    if not np.isfinite(values).all():
        raise DyntoolsError(f"sweep values must be finite numbers (got '{text}')")
    return values


def point_configs(base: SimulationConfig, axis: str, values: np.ndarray) -> list[SimulationConfig]:
    if axis not in ("kurtosis", "param"):
        raise DyntoolsError(f"sweep axis must be kurtosis or param (got '{axis}')")
    return [replace(base, **{axis: float(v)}) for v in values]


def partial_directory(directory: Path | str) -> Path:
    """Where the finished points of an unfinished sweep into ``directory`` are kept."""
    directory = Path(directory)
    return directory.parent / f".{directory.name}.sweep-points"


@dataclass(frozen=True)
class SweepPoints:
    """Stacked per-point results, and what happened to a leftover partial sweep."""

    arrays: dict
    discarded_points: int  # finished points of an earlier sweep with other settings, discarded


def validate_sweep(base: SimulationConfig, axis: str, values: np.ndarray) -> list:
    """Every point's task and theory, built (so every error is raised) before any work."""
    prepared = []
    for value, config in zip(values, point_configs(base, axis, values)):
        try:
            prepared.append(prepare(config))
        except DyntoolsError as err:
            raise DyntoolsError(f"sweep point {axis} = {value:g}: {err}") from None
    return prepared


def run_sweep(directory: Path, base: SimulationConfig, axis: str, values: np.ndarray, progress=None) -> SweepPoints:
    """Run every point not yet done (see the module docstring); return the stacked results."""
    prepared = validate_sweep(base, axis, values)
    partial = partial_directory(directory)
    discarded = _claim(partial, base, axis, values)
    points = []
    try:
        for i, point in enumerate(prepared):
            path = partial / f"point_{i:04d}.npz"
            if not path.exists():
                _save_point(path, run_simulation(point.config))  # prepared: a cache hit
            with np.load(path) as data:
                points.append({k: data[k] for k in data.files})
            if progress is not None:
                progress(i + 1, len(prepared))
    except (KeyboardInterrupt, SystemExit):
        raise  # interrupted: the finished points stay for the next run of the same sweep
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    arrays = {
        axis: values,
        "excess_kurtosis": np.array([p["excess_kurtosis"] for p in points]),
        "parameter": np.array([p["parameter"] for p in points]),
        "ipr_theory": np.array([p["ipr_theory"] for p in points]),
        "ipr_sim": np.stack([p["ipr_sim"] for p in points]),
        "cosine_final": np.array([p["cosine_final"] for p in points]),
        "agreement_time": np.array([p["agreement_time"] for p in points]),
    }
    return SweepPoints(arrays, discarded)


def critical_summary(arrays: dict, n_pixels: int) -> dict:
    """Where localization sets in along the sweep's excess kurtosis, for network (with a
    bootstrap interval over seeds) and theory; see :func:`dyntools.metrics.critical_kurtosis`."""
    network = critical_kurtosis_bootstrap(arrays["excess_kurtosis"], arrays["ipr_sim"], n_pixels)
    theory, theory_reason = critical_kurtosis(arrays["excess_kurtosis"], arrays["ipr_theory"], n_pixels)
    return {
        "critical_excess_kurtosis_network": network["value"],
        "critical_excess_kurtosis_network_interval": network["interval"],
        "critical_excess_kurtosis_network_reason": network["reason"],
        "critical_no_crossing_fraction": network["no_crossing_fraction"],
        "critical_excess_kurtosis_theory": theory,
        "critical_excess_kurtosis_theory_reason": theory_reason,
    }


def finish(directory: Path) -> None:
    """Remove the finished points once the sweep's run directory is written."""
    shutil.rmtree(partial_directory(directory), ignore_errors=True)


def _claim(partial: Path, base: SimulationConfig, axis: str, values: np.ndarray) -> int:
    """Record the sweep's definition. A leftover partial sweep with the same definition is
    resumed; one with another definition is discarded (returns how many points it had)."""
    definition = jsonable({"base": base.as_dict(), "axis": axis, "values": values})
    record = partial / "sweep.json"
    discarded = 0
    if partial.exists():
        try:
            same = json.loads(record.read_text()) == definition
        except (OSError, ValueError):
            same = False
        if same:
            for leftover in partial.glob("*.tmp.npz"):  # a point killed while it was being written
                leftover.unlink()
            return 0
        discarded = len(list(partial.glob("point_*.npz")))
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    record.write_text(json.dumps(definition))
    return discarded


def _save_point(path: Path, result) -> None:
    a, s = result.arrays, result.summary
    member = s["clone_of"] or s  # a clone's point is placed at its original's kurtosis and parameter
    nan = math.nan
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        excess_kurtosis=member["excess_kurtosis"],
        parameter=nan if member["parameter"] is None else member["parameter"],
        ipr_theory=s.get("ipr_theory_final", nan),
        ipr_sim=a["ipr_sim"][:, -1].mean(axis=-1),
        cosine_final=s.get("cosine_final", nan),
        agreement_time=nan if s.get("theory_agreement_time") is None else s["theory_agreement_time"],
    )
    os.replace(tmp, path)
