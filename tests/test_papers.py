"""Every paper reproduction at quick scale: its claim, asserted with the margins measured at
that scale (quoted per test), and its figure drawn from the written and reloaded run.

Quick scales are tiny (1 seed, a few hundred to two thousand SGD steps), so the bounds are
qualitative: localized means several times the random-field IPR 3/N, not localized means
below it.
"""

import math
import warnings

import numpy as np
import pytest

from dyntools.experiments import REPRODUCTIONS, load_result, write_run
from dyntools.experiments.papers import best_sinusoid, low_frequency_energy
from dyntools.errors import KernelClippingWarning


def reproduce(name: str, tmp_path):
    """Run NAME at quick scale, write it, read it back and redraw its figure from the saved run: the
    figure keeps the figure contract."""
    config_class, run, figure = REPRODUCTIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KernelClippingWarning)  # small quick rings clip xi = 3 kernels (recorded)
        result = run(config_class(quick=True))
    write_run(result, tmp_path / name)
    assert (tmp_path / name / f"{name}.png").stat().st_size > 10_000
    loaded = load_result(tmp_path / name)
    assert loaded.name == name and loaded.config == _json(result.config)
    assert set(loaded.arrays) == set(result.arrays)
    from dyntools.plots import save
    from test_figure_contract import figure_problems

    redrawn = figure(loaded)
    assert figure_problems(redrawn) == []  # the figure contract (test_figure_contract.py) on the redrawn figure
    save(redrawn, tmp_path / "redrawn.png")
    assert (tmp_path / "redrawn.png").stat().st_size > 10_000
    return result


def _json(value):
    """What a value reads back as from run.json (tuples as lists, non-finite numbers as None)."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def rows(table: dict) -> dict:
    """Table columns keyed by the row's label: {label: {column: value}}."""
    columns = [k for k, v in table.items() if isinstance(v, list)]
    return {label: {k: table[k][i] for k in columns} for i, label in enumerate(table["label"])}


def test_registry_configs_record_their_quick_settings():
    from dyntools.registries import REPRODUCTION_NAMES

    assert tuple(REPRODUCTIONS) == REPRODUCTION_NAMES and REPRODUCTIONS
    for config_class, _, _ in REPRODUCTIONS.values():
        full, quick = config_class(), config_class(quick=True).resolved()
        assert full.resolved() == full and quick.quick
        assert _holds(quick, config_class.QUICK)


def _holds(settings, values: dict) -> bool:
    """Whether ``settings`` has ``values`` (nested dicts: inside nested settings)."""
    return all(_holds(getattr(settings, name), value) if isinstance(value, dict) else getattr(settings, name) == value
               for name, value in values.items())


def test_sinusoid_helpers():
    n = 32
    i = np.arange(n)
    wave = np.cos(2 * np.pi * 3 * i / n + 0.4)
    fit, k = best_sinusoid(wave + 0.01 * np.cos(2 * np.pi * 7 * i / n))
    assert k == 3 and np.allclose(fit, wave, atol=1e-12)
    spike = np.zeros(n)
    spike[5] = 1
    assert low_frequency_energy(np.cos(2 * np.pi * i / n)) == pytest.approx(1)
    assert low_frequency_energy(spike) == pytest.approx(5 / n)


def test_lufkin_fig3_binary_pixels_localize_gaussian_and_heavy_tailed_do_not(tmp_path):
    # quick (N = 20, 500 steps): Ising 0.63 = 4.2 x 3/N; NLGP g=0.01 0.058, Kur(5) 0.060 (< 3/N = 0.15)
    table = reproduce("lufkin-fig3", tmp_path).table
    random, by = table["ipr_random"], rows(table)
    assert by["Ising chain"]["ipr_sim_final"] > 3 * random and by["Ising chain"]["localized"]
    for label in ("NLGP g=0.01", "Kur(5)"):
        assert by[label]["ipr_sim_final"] < random and not by[label]["localized"]
        assert by[label]["cosine_final"] > 0.9  # early-time theory holds while nothing localizes (0.98)
    assert by["NLGP g=0.01"]["cubic_max_error"] < 1e-4  # Gaussian-like: phi is linear (2.5e-6)
    assert by["Kur(5)"]["cubic_max_error"] < 0.05  # (0.018)


def test_lufkin_fig4_elliptical_data_give_slow_oscillations_not_localized_fields(tmp_path):
    # quick (N = 20, 500 steps): IPR 0.12 (t, nu = 3) and 0.056 (shell) < 3/N = 0.15; shell
    # sinusoid residual 0.03; the effective ODE (phi linear) gives a sinusoid to 1e-5
    table = reproduce("lufkin-fig4", tmp_path).table
    random, by = table["ipr_random"], rows(table)
    for row in by.values():
        assert row["ipr_sim_final"] < random
        assert row["sinusoid_residual_theory"] < 1e-2
    assert by["shell"]["sinusoid_residual_sim"] < 0.15
    assert by["elliptical t, nu=3"]["low_frequency_energy_sim"] > 0.6


def test_lufkin_fig5_ipr_falls_with_excess_kurtosis(tmp_path):
    # quick (N = 20, 500 steps): NLGP g=100 (excess -2.0) 0.99, Kur(6.1) (-0.14) 0.15, Kur(5) (+1.29) 0.085
    table = reproduce("lufkin-fig5", tmp_path).table
    ipr = table["ipr_sim_final"]
    assert table["excess_kurtosis"] == sorted(table["excess_kurtosis"])
    assert table["spearman"] == pytest.approx(-1)
    assert ipr[0] > 3 * table["ipr_random"] and ipr[-1] < table["ipr_random"]
    assert -2 < table["critical_kurtosis"] < table["excess_kurtosis"][-1]


def test_lufkin_fig6_kur10_localizes_kur4_does_not_ica_on_kur3_does(tmp_path):
    # quick (N = 60, 10 units, 2000 steps): median IPR Kur(10) 0.090 = 1.8 x 3/N, Kur(4) 0.037
    # = 0.74 x 3/N; ICA on Kur(3): all 10 filters above 5/N
    table = reproduce("lufkin-fig6", tmp_path).table
    random, by = table["ipr_random"], rows(table)
    assert by["Kur(10)"]["ipr_median"] > 1.3 * random
    assert by["Kur(4)"]["ipr_median"] < random
    assert by["ICA on Kur(3)"]["fraction_localized"] >= 0.8


def test_lufkin_fig1_right_2d_nlgp_fields_localize(tmp_path):
    # quick (10 x 10 torus, 2 ReLU units, 1000 steps): median IPR 0.73 = 24 x 3/N
    table = reproduce("lufkin-fig1-right", tmp_path).table
    assert table["ipr_median_over_random"][0] > 5
    assert table["fraction_localized"][0] == 1


def test_ingrosso_goldt_large_gain_localizes_small_gain_does_not(tmp_path):
    # quick (10 x 10 torus, 4 sigmoid units, batch 1000): median IPR over 3/N at g=3: 3.8 (seeds 0-3: 3.8 - 7.7;
    # at batch 300 it was 1.4 - 2.6, too noisy), at g=0.01: 0.68 (0.65 - 0.73)
    table = reproduce("ingrosso-goldt-2d", tmp_path).table
    small, large = table["ipr_median_over_random"]
    assert table["gain"] == [0.01, 3.0] and table["gain_ingrosso_goldt"][1] == pytest.approx(3 * math.sqrt(2))
    assert small < 1 < 2 < large


def test_olshausen_field_ica_and_lca_learn_gabor_like_atoms(tmp_path):
    # quick (12 x 12 patches, one seed, LCA 500 steps): ICA 50%, LCA 53% Gabor-like and localized, PCA 2.1%
    result = reproduce("olshausen-field", tmp_path)
    table = result.table
    assert table["claim_holds"] and table["method"] == ["ica", "lca"]
    assert all(share >= 0.45 for share in table["gabor_share"]), table["gabor_share"]
    assert all(r2 >= 0.85 for r2 in table["gabor_r2_median"]) and max(table["pca_gabor_share"]) <= 0.05
    assert all(0.2 < nx < 0.5 and 0.4 < ny < 0.9 for nx, ny in zip(table["gabor_nx_median"], table["gabor_ny_median"]))


@pytest.mark.parametrize("network", ["committee", "two-layer"])
def test_two_d_reproductions_train_the_chosen_network_as_simulate_does(network):
    """The 2-D reproductions' fields are run_simulation's (seed 0) for the network the settings name."""
    from dataclasses import replace

    from dyntools.experiments.papers import IngrossoGoldtConfig, _simulation, _two_d_rows
    from dyntools.metrics import ipr
    from dyntools.simulations import run_simulation

    config = IngrossoGoldtConfig(quick=True).resolved()
    simulation = replace(config.simulation, task=replace(config.simulation.task, n_dims=6), network=network,
                         neurons=2, steps=20, saves=2, batch=50, seeds=2, lr=5.0)
    config = replace(config, simulation=simulation)
    rows, arrays = _two_d_rows(config, (3.0,))
    alone = run_simulation(_simulation(config, "nlgp", 3.0))
    assert np.array_equal(arrays["nlgp-3/w_final"], alone.w_sim[0, -1].reshape(2, 6, 6))
    assert np.array_equal(arrays["nlgp-3/ipr_t"], ipr(alone.w_sim[0])) and np.array_equal(arrays["t"], alone.t)
    assert rows[0]["ipr_median"] == np.median(ipr(alone.w_sim[0, -1]))
    assert ("a" in alone.params_sim) == (network == "two-layer")  # the two-layer network trains its readout
