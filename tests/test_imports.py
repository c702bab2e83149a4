"""Start-up imports only what is used (issue 23): ``import dyntools`` and ``import dyntools.cli``
load none of the heavy libraries, and the modules a simulation runs through load neither SciPy's
stats, SymPy, matplotlib nor Diffrax until they compute with them. The models are
`equinox.Module`s, so those modules load Equinox (and the jaxtyping it imports); every run that
integrates the effective ODE loads both through Diffrax anyway. Each check runs in a fresh
interpreter and reads ``sys.modules``; no timings are asserted."""

import subprocess
import sys

import pytest

HEAVY = ("jax", "jaxtyping", "sympy", "scipy", "matplotlib", "equinox", "diffrax", "numpy")


def _loaded(code: str, watch: tuple[str, ...]) -> list[str]:
    """The modules of ``watch`` that are imported after running ``code`` in a fresh interpreter."""
    script = f"import sys\n{code}\nprint('loaded:' + ','.join(m for m in {watch!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded:"), result.stdout
    return [m for m in last.removeprefix("loaded:").split(",") if m]


@pytest.mark.parametrize("module", ["dyntools", "dyntools.cli"])
def test_importing_the_package_or_the_command_line_loads_no_heavy_library(module):
    assert _loaded(f"import {module}", HEAVY) == []


def test_the_simulation_path_loads_no_sympy_scipy_stats_matplotlib_or_diffrax():
    """Every module ``dyntools simulate`` computes with, and a marginal solved from a kurtosis
    (Brent's method, so SciPy's optimize), load JAX and NumPy only where they compute."""
    code = ("import dyntools.inputs.task, dyntools.inputs.models, dyntools.inputs.kernels\n"
            "import dyntools.theory.amplifier, dyntools.theory.dynamics\n"
            "import dyntools.simulations.simulate, dyntools.simulations.training, dyntools.simulations.networks\n"
            "from dyntools.simulations.networks import network_class\n"
            "network_class('committee'), network_class('two-layer')\n"
            "from dyntools.inputs.marginals import make_marginal\n"
            "assert abs(make_marginal('alg', excess_kurtosis=-1.0).excess_kurtosis + 1.0) < 1e-9")
    watch = ("jax", "numpy", "scipy.optimize", "jaxtyping", "sympy", "scipy.stats", "matplotlib", "diffrax", "equinox")
    assert _loaded(code, watch) == ["jax", "numpy", "scipy.optimize", "jaxtyping", "equinox"]


def test_scipy_stats_loads_when_a_tabulated_family_needs_it():
    """The families whose transform is a SciPy quantile import SciPy's stats on first use."""
    code = ("from dyntools.inputs.marginals import StudentT\n"
            "import numpy as np\nassert np.isfinite(StudentT(5.0).table).all()")
    assert _loaded(code, ("scipy.stats",)) == ["scipy.stats"]


def test_redrawing_a_reproduction_or_a_plot_loads_no_jax():
    """``dyntools plot`` of a reproduction looks its entry up and draws with numpy and matplotlib:
    every reproduction's config, run and figure functions import, and the plots, without JAX,
    SciPy's stats or SymPy (they load when a reproduction runs)."""
    code = ("from dyntools.experiments import REPRODUCTIONS\n"
            "entries = [REPRODUCTIONS[name] for name in REPRODUCTIONS]\n"
            "import dyntools.plots, dyntools.experiments.localization_map")
    assert _loaded(code, ("jax", "scipy.stats", "sympy", "equinox")) == []
