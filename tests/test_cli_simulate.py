import json

import numpy as np
import xarray as xr
import pytest

from dyntools.errors import DyntoolsError

FAST = ["--n-dims", "12", "--steps", "40", "--batch", "200", "--seeds", "2", "--saves", "4"]


def test_simulate_writes_trajectories_record_and_figure(cli, tmp_path):
    out = tmp_path / "run"
    code, stdout, _ = cli("simulate", "--kurtosis", "-1.0", *FAST, "--out", out, "--json")
    assert code == 0
    summary = json.loads(stdout)
    for key in ("ipr_theory_final", "ipr_sim_final_mean", "ipr_sim_final_std", "cosine_final", "excess_kurtosis"):
        assert key in summary
    assert summary["family"] == "alg" and summary["excess_kurtosis"] == pytest.approx(-1.0)
    with np.load(out / "trajectories.npz") as data:
        assert data["t"].shape == (5,) and data["w_theory"].shape == (5, 1, 12)
        assert data["w_sim"].shape == (2, 5, 1, 12) and data["ipr_theory"].shape == (5, 1)
        assert data["ipr_sim"].shape == (2, 5, 1) and data["sigma0"].shape == (12,)
    assert (out / "theory_vs_simulation.png").stat().st_size > 20_000
    record = json.loads((out / "run.json").read_text())
    assert record["config"]["simulation"]["task"]["kurtosis"] == -1.0 and record["version"]


def test_simulate_reports_progress_as_status_lines_when_stderr_is_not_a_terminal(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DYNTOOLS_STATUS_SECONDS", "0")  # every compiled chunk of steps (here one per saved block)
    code, _, stderr = cli("simulate", "--kurtosis", "0", *FAST, "--out", tmp_path / "r")
    lines = stderr.splitlines()
    assert code == 0 and len(lines) == 4 and lines[0].startswith("dyntools: training: 10 of 40 steps (25%)")
    assert lines[-1].startswith("dyntools: training: 40 of 40 steps (100%)")


def test_simulate_text_summary_names_family_and_parameter(cli, tmp_path):
    code, stdout, _ = cli("simulate", "--kurtosis", "-1.5", *FAST, "--out", tmp_path / "r")
    assert code == 0 and "nlgp (gain =" in stdout and "cosine(theory, network)" in stdout


@pytest.mark.parametrize("args, message", [
    (["--kurtosis", "-2.5"], ">= -2"),
    (["--kurtosis", "0", "--lr", "80"], "SGD diverged"),
    (["--kurtosis", "0", "--steps", "0"], "--steps"),
    (["--kurtosis", "0", "--amplifier", "magic"], "unknown amplifier"),
    (["--kurtosis", "0", "--activation", "tanh"], "unknown activation"),
    (["--kurtosis", "0", "--solver", "rk99"], "unknown solver"),
    (["--kurtosis", "0", "--steps", "41", "--saves", "4"], "multiple"),
])
def test_simulate_bad_input(cli, tmp_path, args, message):
    out = tmp_path / "r"
    code, _, stderr = cli("simulate", *FAST, *args, "--out", out)
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_sweep_and_compare(cli, tmp_path):
    out = tmp_path / "sweep"
    code, stdout, _ = cli("sweep", "--family", "alg", "--kurtosis", "-1:1:2", *FAST, "--out", out, "--json")
    assert code == 0
    summary = json.loads(stdout)
    assert len(summary["ipr_theory"]) == 2
    with xr.open_dataset(out / "sweep.nc") as data:
        assert data["excess_kurtosis"].dims == ("kurtosis",) and data["ipr_sim"].shape == (2, 2)
        saved = {name: data[name].values for name in ("excess_kurtosis", "ipr_theory", "ipr_sim", "ipr_sim_t")}
    # each point is its own run: `simulate` with the point's settings gives the same numbers
    # (float32 SGD alone or in the sweep: the same program, exact; the theory's ODE solved in a
    # vmapped batch of points: rtol 1e-9)
    np.testing.assert_allclose(summary["ipr_theory"], saved["ipr_theory"], rtol=1e-12)
    np.testing.assert_allclose(summary["ipr_sim_mean"], saved["ipr_sim"].mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(saved["ipr_sim"], saved["ipr_sim_t"][..., -1], rtol=0)
    for i, kurtosis in enumerate((-1.0, 1.0)):
        code, _, _ = cli("simulate", "--family", "alg", "--kurtosis", kurtosis, *FAST, "--out", tmp_path / f"p{i}")
        with np.load(tmp_path / f"p{i}" / "trajectories.npz") as data:
            np.testing.assert_array_equal(saved["ipr_sim"][i], data["ipr_sim"][:, -1, 0])
            assert saved["ipr_theory"][i] == pytest.approx(data["ipr_theory"][-1, 0], rel=1e-9)
        assert saved["excess_kurtosis"][i] == pytest.approx(kurtosis, abs=1e-9)
    assert (out / "ipr_vs_kurtosis.png").exists() and not (out / "partial").exists()
    assert cli("sweep", "--kurtosis", "0", *FAST, "--out", out)[0] == 2  # finished: needs --force
    figure = tmp_path / "cmp.png"
    code, stdout, _ = cli("compare", out, out, "--out", figure)
    assert code == 0 and figure.exists()


def test_compare_refuses_mixed_runs(cli, tmp_path):
    cli("inputs", "--kurtosis", "0", "--n-dims", "8", "--samples", "10", "--out", tmp_path / "i")
    code, _, stderr = cli("compare", tmp_path / "i", "--out", tmp_path / "c.png")
    assert code == 2 and "simulate or sweep" in stderr


def test_sweep_force_keeps_the_finished_run_until_the_new_one_is_complete(cli, tmp_path):
    out = tmp_path / "sweep"
    assert cli("sweep", "--kurtosis", "0", *FAST, "--out", out)[0] == 0
    before = (out / "sweep.nc").read_bytes()
    code, _, stderr = cli("sweep", "--kurtosis", "0", *FAST, "--lr", "80", "--out", out, "--force")
    assert code == 2 and "SGD diverged" in stderr
    assert (out / "sweep.nc").read_bytes() == before and (out / "run.json").exists()


def test_a_saved_run_loads_back_as_the_typed_result(cli, tmp_path):
    from dyntools.simulations import SimulationResult, run_simulation

    out = tmp_path / "r"
    assert cli("simulate", "--kurtosis", "-1", "--network", "two-layer", "--neurons", "2", *FAST, "--out", out)[0] == 0
    loaded = SimulationResult.load(out)
    again = run_simulation(loaded.config)  # same settings, same seed: the same numbers
    assert loaded.config.network == "two-layer" and loaded.w_theory is None and loaded.params_sim["a"].shape[-1] == 2
    assert loaded.arrays.keys() == again.arrays.keys()
    for name, value in again.arrays.items():
        assert np.array_equal(loaded.arrays[name], value), name
    assert loaded.summary.as_dict().keys() == again.summary.as_dict().keys()
    assert loaded.summary.ipr_sim_final_mean == again.summary.ipr_sim_final_mean
    assert loaded.marginal == again.marginal
    code, _, stderr = cli("inputs", "--kurtosis", "0", "--n-dims", "8", "--samples", "10", "--out", tmp_path / "i")
    with pytest.raises(DyntoolsError, match="holds a 'inputs' run, not a simulate run"):
        SimulationResult.load(tmp_path / "i")
