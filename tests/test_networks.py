"""The network interface: a registry of files, init/apply/loss, an optional effective theory."""

import jax
import numpy as np
import pytest

from dyntools.errors import DyntoolsError
from dyntools.inputs import TaskSpec, build_task
from dyntools.simulations import (CommitteeMachine, SimulationConfig, network_class, network_names, run_simulation,
                                  sgd_trajectories)

TASK = TaskSpec(kurtosis=-1.0, n_dims=12)


def _entry_files(package: str) -> tuple[str, ...]:
    """The entry names of a registry package, read here from its directory listing (not through
    `FileRegistry`): its ``*.py`` files not starting with ``_``, ``two_layer.py`` as ``two-layer``."""
    from pathlib import Path

    import dyntools

    directory = Path(dyntools.__file__).parent.joinpath(*package.split(".")[1:])
    return tuple(sorted(f.stem.replace("_", "-") for f in directory.glob("*.py") if not f.name.startswith("_")))


def test_every_file_of_the_package_is_a_network():
    from dyntools.simulations.networks._base import Network

    names = network_names()
    assert names == _entry_files("dyntools.simulations.networks") and "committee" in names
    assert network_class("committee") is CommitteeMachine
    for name in names:
        cls = network_class(name)
        assert issubclass(cls, Network) and cls.__module__.endswith("." + name.replace("-", "_"))
    with pytest.raises(DyntoolsError, match=f"unknown network 'mlp'; choose one of: {', '.join(names)}$"):
        network_class("mlp")


def test_only_the_relu_committee_without_bias_has_an_effective_theory():
    task = build_task(TASK)
    built = []
    amplifier = lambda: built.append(1) or "phi"  # noqa: E731
    assert CommitteeMachine(12, 2).effective_theory(task, amplifier).amplifier == "phi"
    assert CommitteeMachine(12, 2, bias=True).effective_theory(task, amplifier) is None
    assert network_class("two-layer")(12, 2).effective_theory(task, amplifier) is None
    assert built == [1]  # the amplifier is built only where there is a theory


def test_two_layer_network_trains_its_readout_and_its_loss_falls():
    """Starts as the committee machine (readout 1/K, same first layer from the same key); SGD
    (lr 0.1, 400 steps of 500) then moves the readout and lowers the held-out loss. Measured:
    0.367 -> 0.260, 0.244, 0.239, 0.234 at the saves; readout entries moved by up to 0.12."""
    task, net = build_task(TASK), network_class("two-layer")(12, 4)
    committee = CommitteeMachine(12, 4)
    key = jax.random.PRNGKey(0)
    params0 = net.init(key, 1.0)
    x, y = task.sample(jax.random.PRNGKey(5), 20_000)
    x, y = x.reshape(20_000, -1).astype(float), y.astype(float)
    assert np.array_equal(net.apply(params0, x), committee.apply(committee.init(key, 1.0), x))
    saved = sgd_trajectories(task, net, params0, jax.random.split(jax.random.PRNGKey(1), 1), lr=0.1, steps=400,
                             batch=500, saves=4)
    losses = [float(net.loss({name: leaf[0, t] for name, leaf in saved.items()}, x, y)) for t in range(5)]
    assert all(np.diff(losses) < 0) and losses[-1] < 0.75 * losses[0]
    assert np.abs(saved["a"][0, -1] - 0.25).max() > 0.05


def test_simulation_with_the_two_layer_network_saves_its_readout_and_has_no_theory(cli, tmp_path):
    result = run_simulation(SimulationConfig(task=TASK, network="two-layer", neurons=2, steps=40, batch=100, seeds=2,
                                             saves=4))
    assert result.arrays["a_sim"].shape == (2, 5, 2) and np.all(result.arrays["a_sim"][:, 0] == 0.5)
    assert "w_theory" not in result.arrays and result.summary.theory is None
    assert result.summary.network == "two-layer"
    code, _, stderr = cli("simulate", "--kurtosis", "0", "--network", "mlp", "--out", tmp_path / "x")
    assert code == 2 and "unknown network 'mlp'" in stderr and not (tmp_path / "x").exists()


def test_the_command_line_lists_the_registries_without_importing_jax():
    """Help texts and choices come from the registries (file names, the generated family index,
    the solver table): `dyntools --help` imports neither JAX nor SciPy."""
    import subprocess
    import sys

    script = ("import sys, dyntools.cli\nfrom dyntools.registries import AMPLIFIERS, BASELINES, NETWORKS\n"
              "from dyntools.inputs.spec import ALL_FAMILIES\nfrom dyntools.simulations.solvers import SOLVERS\n"
              "print(NETWORKS.names(), BASELINES.names(), AMPLIFIERS.names(), len(ALL_FAMILIES), len(SOLVERS),\n"
              "      'jax' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    from dyntools.inputs.spec import ALL_FAMILIES
    from dyntools.registries import AMPLIFIERS, BASELINES, NETWORKS
    from dyntools.simulations.solvers import SOLVERS

    registries = {"dyntools.simulations.networks": NETWORKS, "dyntools.baselines.methods": BASELINES,
                  "dyntools.theory.amplifiers": AMPLIFIERS}
    for package, registry in registries.items():
        assert registry.names() == _entry_files(package) and registry.names(), package
    assert out.strip() == (f"{NETWORKS.names()} {BASELINES.names()} {AMPLIFIERS.names()} {len(ALL_FAMILIES)} "
                           f"{len(SOLVERS)} False False")


def test_amplifier_forms_come_from_the_registry():
    from dyntools.inputs import Uniform
    from dyntools.registries import AMPLIFIERS
    from dyntools.theory.amplifier import make_amplifier

    for name in AMPLIFIERS.names():
        form = make_amplifier(Uniform(), name, order=3)
        assert type(form) is AMPLIFIERS.get(name) and form.kind == name
    assert make_amplifier(Uniform(), "series", order=3).order == 3
    with pytest.raises(DyntoolsError, match=f"unknown amplifier 'taylor'; choose one of: {', '.join(AMPLIFIERS.names())}$"):
        make_amplifier(Uniform(), "taylor")


def test_the_reproductions_listed_for_the_help_are_the_registry():
    from dyntools.experiments import REPRODUCTIONS
    from dyntools.registries import REPRODUCTION_NAMES

    assert REPRODUCTION_NAMES == tuple(REPRODUCTIONS)
