"""The branches dyntools takes on an accelerator, run on the CPU: the backend check is
monkeypatched to report a GPU, and the numbers must equal those of the CPU path.

Two checks decide them (``grep -rn default_backend dyntools``): `seed_group` in
``simulations/training.py`` (on an accelerator every seed of a point is vmapped at once; on a CPU
they run in cache-sized groups) and `_points_per_program` in ``simulations/simulate.py`` (on an
accelerator the SGD points of one structure train together in one vmapped program; on a CPU one
after another). Both only regroup independent runs, and the docstrings promise identical
numbers; the comparison is exact (`assert_array_equal`): the same keys draw the same batches and
each run's arithmetic is the same, only batched differently.
"""

import numpy as np
import pytest

import dyntools.simulations.training as training_module
import dyntools.simulations.simulate as simulate_module
from dyntools._jax import jax
from dyntools.inputs import TaskSpec, build_task
from dyntools.simulations import CommitteeMachine, SimulationConfig, run_simulations, sgd_trajectories


class _OnAnAccelerator:
    """The `jax` module as a dyntools module sees it, except that the backend is a GPU."""

    def __getattr__(self, name):
        return getattr(jax, name)

    @staticmethod
    def default_backend() -> str:
        return "gpu"


@pytest.fixture
def accelerator(monkeypatch):
    """Make the simulation modules take their accelerator branches (on the CPU)."""
    def force():
        for module in (training_module, simulate_module):
            monkeypatch.setattr(module, "jax", _OnAnAccelerator())
    return force


def test_all_seeds_vmapped_at_once_give_the_numbers_of_cpu_seed_groups(accelerator, monkeypatch):
    """4 seeds, batch 256, N = 12, float32, the CPU's cache budget cut to two seeds' batches (as
    batch 20 000 would fill the real 2 MiB): the CPU runs them in groups of 2, the accelerator
    branch all 4 at once."""
    monkeypatch.setattr(training_module, "CPU_GROUP_BYTES", 2 * 256 * 12 * 4)
    task = build_task(TaskSpec(kurtosis=-1.0, n_dims=12))
    net = CommitteeMachine(12)
    params0 = net.init(jax.random.PRNGKey(0), 1.0)
    keys = jax.random.split(jax.random.PRNGKey(1), 4)
    run = lambda: sgd_trajectories(task, net, params0, keys, lr=0.05, steps=6, batch=256, saves=2)  # noqa: E731
    assert training_module.seed_group(4, 256, 12, 4) == 2
    cpu = run()
    accelerator()
    assert training_module.seed_group(4, 256, 12, 4) == 4
    vmapped = run()
    np.testing.assert_array_equal(np.asarray(vmapped["w"]), np.asarray(cpu["w"]))
    assert np.abs(np.asarray(cpu["w"][:, -1] - cpu["w"][:, 0])).max() > 1e-3  # it trained


def test_points_trained_in_one_program_give_the_numbers_of_points_trained_one_by_one(accelerator, monkeypatch):
    """Three SGD points of one structure (kurtosis -1, 0, 1): on the CPU three programs' calls,
    with the accelerator branch one vmapped call of all three (counted); every array equal."""
    configs = [SimulationConfig(task=TaskSpec(family="alg", kurtosis=k, n_dims=8), bias=True, steps=8, batch=64,
                                seeds=2, saves=2) for k in (-1.0, 0.0, 1.0)]  # bias: no theory to solve
    calls, real = [], simulate_module._sgd_params
    monkeypatch.setattr(simulate_module, "_sgd_params", lambda points, *a, **k: calls.append(len(points))
                        or real(points, *a, **k))
    cpu = run_simulations(configs)
    assert calls == [1, 1, 1] and simulate_module._points_per_program(configs[0]) == 1
    calls.clear()
    accelerator()
    vmapped = run_simulations(configs)
    assert calls == [3] and simulate_module._points_per_program(configs[0]) > 3
    for one, other in zip(cpu, vmapped):
        assert set(one.arrays) == set(other.arrays)
        for name in one.arrays:
            np.testing.assert_array_equal(other.arrays[name], one.arrays[name], err_msg=name)
    assert not np.array_equal(cpu[0].arrays["w_sim"], cpu[1].arrays["w_sim"])  # the points differ
