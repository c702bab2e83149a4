"""The many-neuron effective theory (SCIENCE.md section 6) against SGD of the committee machine
(K ReLU units, no bias) from the same initial weights, early in training."""

import numpy as np
import pytest

from dyntools.inputs import TaskSpec
from dyntools.simulations import SimulationConfig, run_simulation


@pytest.mark.parametrize("neurons", [2, 4, 8])
def test_many_neuron_theory_follows_sgd_early_in_training(neurons):
    """N = 32, xi = (1, 2), excess kurtosis -1.5 (NLGP), lr 0.05, 600 steps, batch 2000, 2 seeds.
    Early = every theory neuron's IPR below 5/N. Measured per-neuron cosine(theory, network)
    over that window: K = 2: mean 0.958, min 0.843; K = 4: 0.990, 0.973; K = 8: 0.997, 0.991
    (seed 1; seed 0 at excess kurtosis -1 gives 0.978/0.932, 0.982/0.906, 0.997/0.993)."""
    result = run_simulation(SimulationConfig(task=TaskSpec(kurtosis=-1.5, n_dims=32, xi0=1.0, xi1=2.0), neurons=neurons, steps=600, lr=0.05, batch=2000, seeds=2, saves=30, seed=1))
    a = result.arrays
    early = a["ipr_theory"].max(axis=1) < 5 / 32
    assert early.sum() >= 10  # the window is not empty
    cosine = a["cosine"][:, early][:, 1:]  # t = 0 is identical by construction
    assert a["cosine"].shape == (2, 31, neurons)
    assert cosine.mean() > 0.93 and cosine.min() > 0.8
    assert np.allclose(a["cosine"][:, 0], 1.0)
