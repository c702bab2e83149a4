"""Extension by another package (issue 22): examples/plugin adds a marginal family, a baseline
and a network through entry points; installed, they work from the command line and the library
like the built-in ones."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dyntools.errors import DyntoolsError
from dyntools.registries import BASELINES, FileRegistry

PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "plugin"


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory):
    """examples/plugin installed (without dependencies) into a folder of its own."""
    import shutil

    source, target = tmp_path_factory.mktemp("source") / "plugin", tmp_path_factory.mktemp("plugin")
    shutil.copytree(PLUGIN, source)  # pip builds in the folder it installs from: never in the repository
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(source)],
                   check=True, capture_output=True)
    return target


COMMANDS = """
import json, sys
from conftest import invoke
print(json.dumps([invoke(*command) for command in json.loads(sys.argv[1])]))
"""


def in_one_process(plugin_path, *commands, before: str = "") -> tuple[list[str], list]:
    """Run the CLI ``commands`` (argument lists) one after another in one new Python process that
    sees the installed plugin, after the code ``before``: (what ``before`` printed, one line a
    print; [(exit code, stdout, stderr)] of each command)."""
    path = [str(plugin_path), str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
    done = subprocess.run([sys.executable, "-c", before + COMMANDS, json.dumps([list(map(str, c)) for c in commands])],
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(path)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    *printed, results = done.stdout.splitlines()
    return printed, json.loads(results)


def _words(help_text: str) -> str:
    return " ".join(help_text.replace("│", " ").split())


def test_a_plugin_baseline_and_network_run_from_the_command_line(plugin_path, tmp_path):
    simulate = ["simulate", "--network", "max-readout", "--neurons", "3", "--kurtosis", "-1", "--n-dims", "12",
                "--steps", "100"]
    bad_options = {"width=2": "the network 'max-readout' has no option 'width' (its options: temperature)",
                   "temperature=-1": "the max-readout's temperature must be at least 0 (got -1)"}
    _, (baseline_help, simulate_help, pca, hard, soft, *bad) = in_one_process(
        plugin_path, ["baseline", "--help"], ["simulate", "--help"],
        ["baseline", "pca", "--kurtosis", "2", "--n-dims", "12", "--atoms", "4", "--samples", "5000",
         "--out", tmp_path / "pca", "--json"],
        [*simulate, "--out", tmp_path / "max", "--json"],
        [*simulate, "--network-option", "temperature=0.5", "--out", tmp_path / "soft"],
        *(["simulate", "--network", "max-readout", "--network-option", option, "--kurtosis", "-1", "--out",
           tmp_path / "bad"] for option in bad_options))
    help_text = _words(baseline_help[1])
    assert "ica, lca, warp-lca, wlsc, pca" in help_text
    assert "pca: principal components (the non-localized control)" in help_text  # its description, read unimported
    assert "unused by ica, pca" in help_text  # its default_lambda: the base class's None
    assert "max-readout: max over the units (winner takes all; no effective theory)" in _words(simulate_help[1])
    assert pca[0] == 0, pca[2]
    summary = json.loads(pca[1])
    atoms = np.load(tmp_path / "pca" / "dictionary.npz")["atoms"]
    np.testing.assert_allclose(atoms @ atoms.T, np.eye(4), atol=1e-9)  # orthonormal principal components
    assert 0 < summary["explained"] < 1 and (tmp_path / "pca" / "atoms.png").exists()
    assert hard[0] == 0, hard[2]
    record = json.loads((tmp_path / "max" / "run.json").read_text())
    assert record["config"]["simulation"]["network"] == "max-readout"
    assert "ipr_theory_final" not in json.loads(hard[1])  # no effective theory for this network
    assert soft[0] == 0, soft[2]
    record = json.loads((tmp_path / "soft" / "run.json").read_text())
    assert record["config"]["simulation"]["network_options"] == [["temperature", 0.5]]
    w_hard, w_soft = (np.load(tmp_path / name / "trajectories.npz")["w_sim"][:, -1] for name in ("max", "soft"))
    assert w_hard.shape == w_soft.shape and not np.allclose(w_hard, w_soft)  # the option changes the training
    for (code, _, stderr), message in zip(bad, bad_options.values()):
        assert code == 2 and message in stderr and not (tmp_path / "bad").exists(), stderr


FAMILY_CHECK = """
import math, jax
jax.config.update("jax_enable_x64", True)
import numpy as np
from scipy import integrate, special
from dyntools.inputs import TaskSpec, build_task, make_marginal
from dyntools.theory.amplifier import make_amplifier
m = make_marginal("signed-power", excess_kurtosis=2.0)
# the formulas, compiled at first use, against independent numbers: E Z^(4q) / s^4 - 3 and quadrature
q = m.q
s2 = 2**q * math.gamma(q + 0.5) / math.sqrt(math.pi)
assert abs(2**(2 * q) * math.gamma(2 * q + 0.5) / math.sqrt(math.pi) / s2**2 - 3 - 2.0) < 1e-9
mass = 2 * integrate.quad(m.pdf, 0, np.inf, limit=200)[0]
assert abs(mass - 1) < 1e-6 and abs(m.moment(4) - m.quadrature_moment(4)) < 1e-6
x, _ = build_task(TaskSpec(family="signed-power", kurtosis=2.0, n_dims=8)).sample(jax.random.PRNGKey(0), 200_000,
                                                                                 np.float64)
x = np.asarray(x)
print(q, float((x**2).mean()), float((x**4).mean() / (x**2).mean() ** 2 - 3))
phi = make_amplifier(m, "series", order=3)
assert abs(phi.coefficients[3] + math.sqrt(2 / math.pi) * 2.0 / 6) < 1e-9  # -sqrt(2/pi) (m4 - 3) / 6
"""


def test_a_plugin_family_samples_its_law_and_runs_from_the_command_line(plugin_path, tmp_path):
    (checked,), (simulate_help, done, bad) = in_one_process(
        plugin_path, ["simulate", "--help"],
        ["simulate", "--family", "signed-power", "--kurtosis", "2", "--n-dims", "12", "--steps", "100",
         "--out", tmp_path / "run", "--json"],
        ["simulate", "--family", "signed-power", "--param", "30", "--out", tmp_path / "bad"], before=FAMILY_CHECK)
    q, variance, kurtosis = map(float, checked.split())
    assert q > 1 and abs(variance - 1) < 0.02 and abs(kurtosis - 2.0) < 0.3  # 200,000 x 8 pixels
    help_text = _words(simulate_help[1])
    assert "signed-power" in help_text and "signed-power: q" in help_text
    assert done[0] == 0, done[2]
    summary = json.loads(done[1])
    assert summary["family"] == "signed-power" and summary["excess_kurtosis"] == pytest.approx(2.0, abs=1e-9)
    assert np.isfinite(summary["ipr_theory_final"])
    assert bad[0] == 2 and "q for family 'signed-power' must be in (0.05, 20)" in bad[2]
    assert not (tmp_path / "bad").exists()


def test_a_file_with_no_entry_class_or_two_is_a_clear_error(tmp_path, monkeypatch):
    package = tmp_path / "fakepkg"
    (package / "entries").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "entries" / "__init__.py").write_text("")
    (package / "entries" / "_base.py").write_text("class Base:\n    pass\n")
    (package / "entries" / "none.py").write_text("x = 1\n")
    (package / "entries" / "two.py").write_text("from ._base import Base\nclass A(Base): pass\nclass B(Base): pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import dyntools.registries as registries

    monkeypatch.setattr(registries, "_entry_names", lambda package: ("none", "two"))
    registry = FileRegistry("fakepkg.entries", "._base:Base", "thing", "dyntools.things")
    with pytest.raises(DyntoolsError, match=r"none.py must define exactly one Base subclass \(found 0\)"):
        registry.get("none")
    with pytest.raises(DyntoolsError, match=r"two.py must define exactly one Base subclass \(found 2: A, B\)"):
        registry.get("two")


def test_plugins_are_listed_after_the_built_ins_and_cannot_replace_them(monkeypatch):
    from importlib import metadata

    import dyntools.registries as registries

    fake = [metadata.EntryPoint("lca", "os:getcwd", "dyntools.baselines"),
            metadata.EntryPoint("zz-not-a-baseline", "os:getcwd", "dyntools.baselines")]
    monkeypatch.setattr(registries.metadata, "entry_points", lambda group: fake)
    registries._plugins.cache_clear()
    try:
        assert BASELINES.names() == ("ica", "lca", "warp-lca", "wlsc", "zz-not-a-baseline")
        assert BASELINES.get("lca").__name__ == "LCA"  # the built-in, not the plug-in of the same name
        with pytest.raises(DyntoolsError, match=r"plug-in baseline 'zz-not-a-baseline' \(os:getcwd\) is not a "
                                                r"Baseline subclass"):
            BASELINES.get("zz-not-a-baseline")
    finally:
        registries._plugins.cache_clear()
