"""Sweep grids over any setting: parsing, labelled results, points equal to `simulate`."""

import json
from dataclasses import replace

import jax
import numpy as np
import pytest
import xarray as xr

from dyntools.errors import DyntoolsError
from dyntools.inputs import TaskSpec
from dyntools.simulations import SimulationConfig, run_simulation
from dyntools.simulations.sweep import Grid, point_config, run_sweep

TINY = dict(steps=40, batch=200, seeds=2, saves=4)
TASK = TaskSpec(n_dims=10)


@pytest.mark.parametrize("axes, message", [
    ({"curvature": [1.0]}, "unknown sweep axis 'curvature'"),
    ({"kurtosis": [0.0], "param": [5.0]}, "either kurtosis or param"),
    ({"neurons": [1, 2.5]}, "whole numbers"),
    ({"xi1": [1.0, float("nan")]}, "finite values"),
    ({}, "at least one axis"),
])
def test_grid_refuses_bad_axes(axes, message):
    with pytest.raises(DyntoolsError, match=message):
        Grid(axes)


def test_grid_points_are_the_product_first_axis_slowest():
    grid = Grid({"kurtosis": [-1.0, 0.0], "xi1": [2.0, 3.0, 4.0]})
    assert grid.shape == (2, 3) and grid.kurtosis_axis == "kurtosis"
    configs = grid.configs(SimulationConfig(task=TaskSpec(xi0=1.0, xi1=2.0)))
    assert [(c.task.kurtosis, c.task.xi) for c in configs[:4]] == [(-1.0, (1.0, 2.0)), (-1.0, (1.0, 3.0)),
                                                           (-1.0, (1.0, 4.0)), (0.0, (1.0, 2.0))]
    point = point_config(SimulationConfig(), {"neurons": 3, "xi0": 0.5})
    assert point.neurons == 3 and point.task == TaskSpec(xi0=0.5)
    with pytest.raises(DyntoolsError, match=r"xi1 must be a positive"):
        grid.configs(SimulationConfig(task=TaskSpec(xi0=1.0, xi1=-2.0)))


def test_two_axis_sweep_is_labelled_and_each_point_is_the_simulation_it_names(tmp_path):
    base = SimulationConfig(task=TASK, **TINY)
    grid = Grid({"kurtosis": [-1.5, 0.0], "xi1": [1.5, 3.0]})
    ds = run_sweep(tmp_path / "s", base, grid).dataset
    assert ds["ipr_sim"].dims == ("kurtosis", "xi1", "seed") and ds["ipr_sim_t"].shape == (2, 2, 2, 5)
    assert ds["critical_excess_kurtosis_theory"].dims == ("xi1",)
    assert ds["critical_excess_kurtosis_network_interval"].dims == ("xi1", "bound")
    assert json.loads(ds.attrs["config"])["grid"] == {"kurtosis": [-1.5, 0.0], "xi1": [1.5, 3.0]}
    # the point (kurtosis 0, xi1 3) is exactly `simulate` with those settings (same keys, same numbers)
    alone = run_simulation(SimulationConfig(task=replace(TASK, kurtosis=0.0, xi1=3.0), **TINY))
    point = ds.sel(kurtosis=0.0, xi1=3.0)
    assert np.array_equal(point["ipr_sim_t"].values, alone.arrays["ipr_sim"].mean(axis=-1))
    assert point["ipr_theory"].item() == pytest.approx(alone.summary.ipr_theory_final, rel=1e-12)
    # saved and read back: the same labelled numbers
    ds.to_netcdf(tmp_path / "s.nc", engine="h5netcdf")
    with xr.open_dataset(tmp_path / "s.nc", engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), ds)


def test_theory_only_sweep_trains_nothing_and_matches_the_full_theory(tmp_path):
    base = SimulationConfig(task=TASK, **TINY)
    ds = run_sweep(tmp_path / "t", base, Grid({"kurtosis": [-1.5, 1.0]}), theory_only=True).dataset
    assert "ipr_sim" not in ds and ds["ipr_theory_t"].shape == (2, 5)
    full = run_simulation(SimulationConfig(task=replace(TASK, kurtosis=-1.5), **TINY))
    assert ds["ipr_theory"].sel(kurtosis=-1.5).item() == pytest.approx(full.summary.ipr_theory_final, rel=1e-12)
    with pytest.raises(DyntoolsError, match="ReLU units, no bias"):
        run_sweep(tmp_path / "u", SimulationConfig(task=TASK, activation="sigmoid", **TINY),
                  Grid({"kurtosis": [0.0]}), theory_only=True)


def test_cli_grid_writes_sweep_nc_and_a_heat_map(cli, tmp_path):
    out = tmp_path / "g"
    code, stdout, _ = cli("sweep", "--grid", "kurtosis=-1.5,1", "--grid", "init-scale=0.001,0.01", "--theory-only",
                          "--n-dims", "10", "--steps", "40", "--saves", "4", "--out", out, "--json")
    summary = json.loads(stdout)
    assert code == 0 and summary["axes"] == {"kurtosis": [-1.5, 1.0], "init_scale": [0.001, 0.01]}
    assert summary["critical_over"] == ["init_scale"] and len(summary["critical_excess_kurtosis_theory"]) == 2
    assert (out / "ipr_vs_kurtosis_init_scale.png").exists()
    with xr.open_dataset(out / "sweep.nc") as ds:
        assert ds["ipr_theory"].dims == ("kurtosis", "init_scale")


@pytest.mark.parametrize("args, message", [
    (["--grid", "kurtosis"], "AXIS=VALUES"),
    (["--grid", "colour=1,2"], "unknown sweep axis 'colour'"),
    (["--grid", "xi1=1,2", "--grid", "xi1=3"], "given twice"),
    (["--grid", "seed=0.5"], "whole numbers"),
    ([], "give the values to sweep"),
    (["--kurtosis", "0", "--theory-only", "--bias"], "ReLU units, no bias"),
])
def test_cli_grid_bad_input(cli, tmp_path, args, message):
    code, _, stderr = cli("sweep", *args, "--out", tmp_path / "x")
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_programs_compile_once_per_structure_not_per_value():
    """Numbers are traced: a repeat run, and another kurtosis of the family with other xi, lr,
    proportion, init scale and seed, compile nothing (counted by JAX's compile events)."""
    compiles = []

    def listener(name, *args, **kwargs):
        if name == "/jax/core/compile/backend_compile_duration":
            compiles.append(name)

    settings = dict(steps=20, batch=50, seeds=2, saves=2)
    task = TaskSpec(family="nlgp", kurtosis=-1.0, n_dims=12)
    run_simulation(SimulationConfig(task=task, **settings))
    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        run_simulation(SimulationConfig(task=task, **settings))
        other = replace(task, kurtosis=-1.6, xi0=0.8, xi1=2.5, proportion=0.4)
        run_simulation(SimulationConfig(task=other, lr=0.07, init_scale=1e-2, seed=3, **settings))
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert compiles == []
