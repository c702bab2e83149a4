"""Sweeps of theory and network over excess kurtosis (or a family parameter such as the NLGP
gain), resumable: each finished point is saved on its own, and a rerun skips it."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import DyntoolsError
from ..runs import jsonable
from .simulate import SimulationConfig, run_simulation

PARTIAL = "partial"


def parse_values(text: str) -> np.ndarray:
    """'start:stop:count' (inclusive, evenly spaced) or 'v1,v2,...'."""
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            if int(count) < 1:
                raise ValueError
            return np.linspace(float(start), float(stop), int(count))
        return np.array([float(v) for v in text.split(",")])
    except ValueError:
        raise DyntoolsError(f"cannot read sweep values '{text}': use START:STOP:COUNT or V1,V2,...") from None


def point_configs(base: SimulationConfig, axis: str, values: np.ndarray) -> list[SimulationConfig]:
    if axis not in ("kurtosis", "param"):
        raise DyntoolsError(f"sweep axis must be kurtosis or param (got '{axis}')")
    return [replace(base, **{axis: float(v)}) for v in values]


def run_sweep(directory: Path, base: SimulationConfig, axis: str, values: np.ndarray, progress=None) -> dict:
    """Run every point not yet done in ``directory/partial``; return the stacked results."""
    configs = point_configs(base, axis, values)
    for config in configs:
        config.validate()
    partial = Path(directory) / PARTIAL
    _claim(partial, base, axis, values)
    points = []
    for i, config in enumerate(configs):
        path = partial / f"point_{i:04d}.npz"
        if not path.exists():
            _save_point(path, run_simulation(config))
        with np.load(path) as data:
            points.append({k: data[k] for k in data.files})
        if progress is not None:
            progress(i + 1, len(configs))
    return {
        axis: values,
        "excess_kurtosis": np.array([p["excess_kurtosis"] for p in points]),
        "parameter": np.array([p["parameter"] for p in points]),
        "ipr_theory": np.array([p["ipr_theory"] for p in points]),
        "ipr_sim": np.stack([p["ipr_sim"] for p in points]),
        "cosine_final": np.array([p["cosine_final"] for p in points]),
    }


def _claim(partial: Path, base: SimulationConfig, axis: str, values: np.ndarray) -> None:
    """Record the sweep's definition, or check that a previous partial sweep matches it."""
    definition = jsonable({"base": base.as_dict(), "axis": axis, "values": values})
    record = partial / "sweep.json"
    if record.exists():
        if json.loads(record.read_text()) != definition:
            raise DyntoolsError(f"{partial.parent} holds an unfinished sweep with other settings; "
                                "use --force to start it over")
        return
    partial.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(definition))


def _save_point(path: Path, result) -> None:
    a, s = result.arrays, result.summary
    nan = float("nan")
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        excess_kurtosis=s["excess_kurtosis"],
        parameter=nan if s["parameter"] is None else s["parameter"],
        ipr_theory=s.get("ipr_theory_final", nan),
        ipr_sim=a["ipr_sim"][:, -1].mean(axis=-1),
        cosine_final=s.get("cosine_final", nan),
    )
    os.replace(tmp, path)
