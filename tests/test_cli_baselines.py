import json

import numpy as np
import pytest

from dyntools.inputs import TaskSpec, build_task


@pytest.mark.parametrize("method", ["lca", "wlsc", "ica"])
def test_baseline_writes_dictionary_record_and_figure(cli, tmp_path, monkeypatch, method):
    monkeypatch.setenv("DYNTOOLS_STATUS_SECONDS", "0")  # a status line after every compiled chunk of steps
    out = tmp_path / method
    code, stdout, stderr = cli("baseline", method, "--kurtosis", "2", "--n-dims", "12", "--atoms", "12", "--steps", "50",
                          "--samples", "2000", "--out", out, "--json")
    assert code == 0
    summary = json.loads(stdout)
    assert summary["ipr_q1"] <= summary["ipr_median"] <= summary["ipr_q3"]
    with np.load(out / "dictionary.npz") as data:
        assert data["atoms"].shape == (12, 12)
    assert (out / "atoms.png").exists() and (out / "run.json").exists()
    lines = [line.rsplit(",", 1)[0] for line in stderr.splitlines()]
    if method == "ica":  # fixed-point iterations in chunks of 25, up to 1000, until it converges
        done = [25 * (i + 1) for i in range(len(lines) - 1)] + [json.loads(stdout)["iterations"]]
        assert lines == [f"dyntools: ica training: {n:,} of 1,000 iterations ({100 * n / 1000:.0f}%)" for n in done]
    else:
        assert lines == [f"dyntools: {method} training: 50 of 50 steps (100%)"]


def test_a_saved_baseline_run_loads_back_as_the_typed_result(cli, tmp_path):
    from dyntools.baselines import BaselineResult, task_sampler, train_baseline
    from dyntools.errors import DyntoolsError
    from dyntools.inputs import TaskSpec

    out = tmp_path / "b"
    assert cli("baseline", "lca", "--kurtosis", "2", "--n-dims", "12", "--atoms", "6", "--steps", "20",
               "--out", out)[0] == 0
    loaded = BaselineResult.load(out)
    task = build_task(TaskSpec(kurtosis=2.0, n_dims=12))
    again = train_baseline(task_sampler(task), 12, loaded.config)  # same settings, same seed: the same atoms
    assert loaded.config.method == "lca" and loaded.shape == (12,) and loaded.inputs["family"] == "alg"
    assert np.array_equal(loaded.atoms, again.atoms) and loaded.summary == again.summary
    assert cli("inputs", "--kurtosis", "0", "--n-dims", "8", "--samples", "10", "--out", tmp_path / "i")[0] == 0
    with pytest.raises(DyntoolsError, match="holds a 'inputs' run, not a baseline run"):
        BaselineResult.load(tmp_path / "i")


def test_warp_lca_prints_cold_and_warm_numbers(cli, tmp_path):
    """The printed numbers are the saved ones (to the printed digits), the IPR statistics are those
    of the saved atoms (recomputed here: sum w^4 / (sum w^2)^2 per atom, NumPy percentiles), and
    the warm start needs fewer iterations than the cold one (measured 4.3 against 19.9)."""
    import re

    code, stdout, _ = cli("baseline", "warp-lca", "--kurtosis", "2", "--n-dims", "12", "--atoms", "12", "--steps", "50",
                          "--samples", "2000", "--out", tmp_path / "w")
    assert code == 0
    summary = json.loads((tmp_path / "w" / "run.json").read_text())["summary"]
    number = r"([-+0-9.e]+)"
    iterations = re.search(rf"cold {number} iterations / {number} ms, warm {number} iterations / {number} ms", stdout)
    energies = re.search(rf"final energy: cold {number}, warm {number}", stdout)
    ipr = re.search(rf"IPR median {number} \(quartiles {number} - {number}, range {number} - {number}\)", stdout)
    assert iterations and energies and ipr, stdout
    printed = {"iterations_cold": (iterations[1], 0.05), "iterations_warm": (iterations[3], 0.05),
               "final_energy_cold": (energies[1], 5e-5), "final_energy_warm": (energies[2], 5e-5),
               **{key: (ipr[i], 5e-5) for i, key in enumerate(("ipr_median", "ipr_q1", "ipr_q3", "ipr_min", "ipr_max"), 1)}}
    for key, (text, half_digit) in printed.items():
        assert abs(float(text) - summary[key]) <= half_digit * 1.0001, key
    with np.load(tmp_path / "w" / "dictionary.npz") as data:
        atoms = data["atoms"]
    values = (atoms**4).sum(1) / ((atoms**2).sum(1)) ** 2
    expected = dict(zip(("ipr_min", "ipr_q1", "ipr_median", "ipr_q3", "ipr_max"), np.percentile(values, [0, 25, 50, 75, 100])))
    for key, value in expected.items():
        assert summary[key] == pytest.approx(value, rel=1e-9), key
    assert summary["iterations_warm"] < summary["iterations_cold"]


def test_baseline_on_image_patches(cli, tmp_path):
    code, stdout, _ = cli("baseline", "ica", "--images", "--patch-size", "8", "--atoms", "16", "--samples", "5000",
                          "--out", tmp_path / "p")
    assert code == 0
    with np.load(tmp_path / "p" / "dictionary.npz") as data:
        assert data["atoms"].shape == (16, 64)


@pytest.mark.parametrize("args, message", [
    (["lca", "--lambda", "0"], "lambda"), (["lca", "--atoms", "0"], "atoms"),
    (["lca", "--threshold", "medium"], "threshold"), (["pca"], "unknown baseline"),
    (["ica", "--atoms", "100"], "at most"), (["lca", "--images", "--patch-size", "2"], "--patch-size must be between 4 and 32"),
])
def test_baseline_bad_input(cli, tmp_path, args, message):
    out = tmp_path / "r"
    code, _, stderr = cli("baseline", *args, "--kurtosis", "1", "--n-dims", "12", "--out", out)
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_localization_map(cli, tmp_path):
    out = tmp_path / "map"
    code, stdout, _ = cli("localization-map", "--kurtosis", "-1,3", "--methods", "lca,ica", "--n-dims", "12",
                          "--atoms", "12", "--steps", "30", "--out", out, "--json")
    assert code == 0
    table = json.loads(stdout)
    assert set(table["median_ipr"]) == {"supervised neuron", "theory", "lca", "ica"}
    assert all(len(v) == 2 for v in table["median_ipr"].values())
    assert (out / "localization_map.png").exists()
    # every setting is recorded, the supervised neuron's training included (it was hidden in the CLI)
    config = json.loads((out / "run.json").read_text())["config"]
    assert config["methods"] == ["lca", "ica"] and config["kurtosis"] == [-1.0, 3.0]
    assert config["supervised"]["lr"] == 0.1 and config["supervised"]["steps"] == 1000
    from dyntools.experiments.localization_map import LocalizationMapConfig, LocalizationMapResult

    loaded = LocalizationMapResult.load(out)  # the typed result, read back
    assert loaded.config == LocalizationMapConfig(kurtosis=(-1.0, 3.0), methods=("lca", "ica"),
                                                  task=TaskSpec(n_dims=12), atoms=12, steps=30)
    assert np.array_equal(loaded.median_ipr["ica"], table["median_ipr"]["ica"]) and list(loaded.excess_kurtosis) == [-1, 3]
    from dyntools.figures import run_figures
    from test_figure_contract import figure_problems

    (figure,) = run_figures(out).values()
    assert figure_problems(figure) == []  # the figure contract (test_figure_contract.py), checked where the map runs


def test_localization_map_rejects_unknown_methods_before_any_work(cli, tmp_path):
    code, _, stderr = cli("localization-map", "--methods", "lca,pca", "--out", tmp_path / "m")
    assert code == 2 and "unknown baseline 'pca'" in stderr
    assert not (tmp_path / "m").exists()


def test_localization_map_refuses_too_many_ica_components_before_training(cli, tmp_path, monkeypatch):
    import dyntools.experiments.localization_map as lmap

    monkeypatch.setattr(lmap, "train_baseline", lambda *a, **k: pytest.fail("trained before the check"))
    code, _, stderr = cli("localization-map", "--methods", "lca,ica", "--n-dims", "16", "--atoms", "17",
                          "--out", tmp_path / "m")
    assert code == 2 and "lower --atoms" in stderr and not (tmp_path / "m").exists()
