import json
import subprocess
import sys

import numpy as np
import pytest


def test_help_is_fast():
    """--help imports none of the heavy modules (JAX, SymPy, matplotlib): it answers at once."""
    code = ("import sys; from dyntools.cli import main; sys.argv = ['dyntools', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('jax', 'sympy', 'matplotlib', 'diffrax') if m in sys.modules]\n"
            "assert not heavy, heavy")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and "inputs" in result.stdout, result.stderr


def test_inputs_writes_samples_record_and_figure(cli, tmp_path):
    out = tmp_path / "run"
    code, stdout, _ = cli("inputs", "--family", "alg", "--kurtosis", "-0.5", "--n-dims", "12", "--xi", "1", "2",
                          "--samples", "20000", "--seed", "0", "--out", out, "--json")
    assert code == 0
    summary = json.loads(stdout)
    assert summary["excess_kurtosis_exact"] == pytest.approx(-0.5, abs=1e-9)
    assert abs(summary["excess_kurtosis_sample"] + 0.5) < 0.2
    assert summary["max_covariance_error"] < 0.1
    with np.load(out / "samples.npz") as data:
        assert data["x"].dtype == np.float32 and data["x"].shape == (20000, 12)
        assert data["y"].shape == (20000,) and set(np.unique(data["y"])) == {0, 1}
    assert (out / "inputs.png").stat().st_size > 10_000
    record = json.loads((out / "run.json").read_text())
    assert record["seed"] == 0 and record["config"]["task"]["parameter_name"] == "k"


def test_inputs_2d_and_gain(cli, tmp_path):
    code, stdout, _ = cli("inputs", "--gain", "2", "--2d", "--n-dims", "8", "--samples", "500", "--out", tmp_path / "r")
    assert code == 0 and "nlgp" in stdout
    with np.load(tmp_path / "r" / "samples.npz") as data:
        assert data["x"].shape == (500, 8, 8)


def test_clipping_is_reported_on_the_command_line(cli, tmp_path):
    code, stdout, _ = cli("inputs", "--family", "gaussian", "--n-dims", "20", "--xi", "1", "3",
                          "--samples", "100", "--out", tmp_path / "r")
    assert code == 0 and "negative eigenvalues clipped" in stdout


@pytest.mark.parametrize("args, message", [
    (["--kurtosis", "-2.5"], ">= -2"),
    (["--family", "alg", "--kurtosis", "-1.5"], "(-1.2, inf)"),
    (["--family", "unknown"], "unknown family"),
    (["--kurtosis", "1", "--xi", "0", "3"], "positive"),
    (["--kurtosis", "1", "--n-dims", "3"], "at least 4"),
    (["--kurtosis", "1", "--samples", "0"], "at least 1"),
    (["--family", "ising", "--2d"], "1-D"),
    (["--samples", "many"], "--samples"),
    (["--family", "alg", "--gain", "2"], "gain"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(cli, tmp_path, args, message):
    out = tmp_path / "r"
    code, stdout, stderr = cli("inputs", *args, "--out", out)
    assert code == 2
    assert message in stderr and len(stderr.strip().splitlines()) == 1
    assert "Traceback" not in stderr
    assert not out.exists()


def test_finished_run_is_kept_without_force(cli, tmp_path):
    out = tmp_path / "r"
    assert cli("inputs", "--kurtosis", "0", "--n-dims", "8", "--samples", "10", "--out", out)[0] == 0
    before = (out / "samples.npz").read_bytes()
    code, _, stderr = cli("inputs", "--kurtosis", "1", "--n-dims", "8", "--samples", "10", "--out", out)
    assert code == 2 and "--force" in stderr
    assert (out / "samples.npz").read_bytes() == before
    assert cli("inputs", "--kurtosis", "1", "--n-dims", "8", "--samples", "10", "--out", out, "--force")[0] == 0
    assert (out / "samples.npz").read_bytes() != before


@pytest.mark.parametrize("command", [
    ["inputs", "--kurtosis", "0", "--n-dims", "8", "--samples", "10"],
    ["simulate", "--kurtosis", "3", "--n-dims", "8", "--steps", "8", "--batch", "16", "--seeds", "2", "--saves", "2"],
    ["sweep", "--kurtosis", "-1,1", "--theory-only", "--n-dims", "8", "--saves", "2"],
    ["baseline", "ica", "--kurtosis", "2", "--n-dims", "8", "--atoms", "3", "--samples", "200"],
])
def test_show_prints_what_the_run_printed(cli, tmp_path, command):
    """The same readable lines (not the record: that is --json), then the arrays' shapes."""
    out = tmp_path / "r"
    code, printed, _ = cli(*command, "--out", out)
    assert code == 0
    code, shown, _ = cli("show", out)
    ran, *lines, shapes = shown.rstrip("\n").splitlines()
    assert code == 0 and ran.startswith(f"{command[0]} run in {out} (dyntools ")
    assert lines == printed.rstrip("\n").splitlines()[:-1] and len(lines) >= 2  # all but the "wrote ..." line
    assert shapes.startswith(("samples.npz: x [10, 8]", "trajectories.npz: t [3]", "sweep.nc: ", "dictionary.npz: "))
    assert cli("show", tmp_path / "missing")[0] == 2


def test_the_same_flags_build_the_same_task_in_every_command(cli, tmp_path):
    """One set of defaults: inputs, simulate, sweep and baseline record the same task description."""
    flags = ["--kurtosis", "-1", "--n-dims", "12"]
    assert cli("inputs", *flags, "--samples", "100", "--out", tmp_path / "i")[0] == 0
    assert cli("simulate", *flags, "--steps", "20", "--saves", "2", "--batch", "50", "--seeds", "1",
               "--out", tmp_path / "s")[0] == 0
    assert cli("baseline", "ica", *flags, "--atoms", "4", "--samples", "200", "--out", tmp_path / "b")[0] == 0
    records = {name: json.loads((tmp_path / name / "run.json").read_text())["config"] for name in "isb"}
    tasks = [records["i"]["task"], records["s"]["task"], {k: v for k, v in records["b"]["inputs"].items() if k != "inputs"}]
    assert tasks[0] == tasks[1] == tasks[2]
    assert tasks[0]["xi"] == [1.0, 2.0] and tasks[0]["shape"] == [12]


def test_derive_says_which_field_an_elliptical_marginal_belongs_to(cli):
    """An elliptical field's pixel marginal depends on its number of pixels: derive takes --n-dims."""
    kurtosis = {}
    for n in ("10", "40"):
        code, stdout, _ = cli("derive", "--family", "shell", "--n-dims", n, "--order", "3", "--json")
        report = json.loads(stdout)
        assert code == 0 and report["n_pixels"] == int(n)
        kurtosis[n] = report["excess_kurtosis"]
    assert kurtosis["10"] == pytest.approx(-6 / 12) and kurtosis["40"] == pytest.approx(-6 / 42)  # shell: -6/(N+2)
