"""Values an audit typed and saw mishandled, each refused the promised way (docs/runs.md,
"Errors"): one line on stderr that names the flag given and says what is valid, exit code 2, no
warning, nothing written, before any work.

Before the fix these gave an internal error (``--xi 1e308``, ``--cluster local:²``), NumPy or
JAX RuntimeWarnings over several lines (``--xi 1e-308``, ``--lr 1e308``, ``--grid
kurtosis=inf:1:3``), a message split by a newline in user text, the wrong flag (``--gain nan``
as ``--param``, ``--init-scale 1e308`` as ``--lr``), a hang (99,999,999 local workers) or a 10 s
connection timeout (port 99999).
"""

import os
import subprocess
import sys
import warnings

import pytest

from dyntools.errors import DyntoolsError
from dyntools.simulations import SimulationConfig

MAX_WORKERS = 4 * (os.cpu_count() or 1)
SWEEP = ["sweep", "--kurtosis", "0", "--n-dims", "8", "--steps", "4", "--batch", "8", "--seeds", "1", "--saves", "1"]

# (arguments, what the message must say, what it must not say)
CASES = {
    "huge xi": (["simulate", "--kurtosis", "0", "--xi", "1e308", "1e308"], ["--xi XI0", "from 0.001 to 1e+06"], []),
    "tiny xi": (["simulate", "--kurtosis", "0", "--xi", "1e-308", "1e-300"], ["--xi XI0", "from 0.001"], []),
    "ising xi": (["simulate", "--family", "ising", "--xi", "1", "1e17"], ["--xi XI1", "1e+06"], []),
    "huge lr": (["simulate", "--kurtosis", "0", "--lr", "1e308"], ["--lr", "3.4e+38", "--precision float32"],
                ["t = inf"]),
    "infinite time": (["simulate", "--kurtosis", "0", "--precision", "float64", "--lr", "1e306"],
                      ["--lr x --steps", "finite"], []),
    "huge init scale": (["simulate", "--kurtosis", "0", "--init-scale", "1e308"], ["--init-scale", "1e+12"],
                        ["--lr"]),
    "nan gain": (["simulate", "--gain", "nan"], ["--gain must be a finite number"], ["--param"]),
    "nan kurtosis": (["simulate", "--kurtosis", "nan"], ["--kurtosis must be a finite number"], ["impossible"]),
    "inf kurtosis": (["inputs", "--kurtosis", "inf"], ["--kurtosis must be a finite number"], ["impossible"]),
    "newline in family": (["simulate", "--family", "alg\nx"], ["unknown family 'alg\\nx'"], []),
    "newline in solver": (["simulate", "--kurtosis", "0", "--solver", "x\u2028y"], ["unknown solver"], []),
    "infinite grid": (["sweep", "--grid", "kurtosis=inf:1:3"], ["finite"], []),
    "overflowing range": (["sweep", "--grid", "kurtosis=-1e308:1e308:3"], ["STOP - START"], []),
    "superscript count": (["sweep", "--grid", "kurtosis=0:1:²"], ["cannot read sweep values '0:1:²'"], []),
    "arabic digits": (["sweep", "--kurtosis", "١,٢"], ["cannot read sweep values"], []),
    "newline in axis": (["sweep", "--grid", "ku\nrtosis=1,2"], ["unknown sweep axis 'ku\\nrtosis'"], []),
    "gain and param": (["sweep", "--grid", "gain=1,2", "--grid", "param=3,4"], ["gain and param"], ["twice"]),
    "gain twice": (["sweep", "--gain", "1,2", "--grid", "gain=3"], ["'gain' is given twice"], []),
    "superscript workers": ([*SWEEP, "--cluster", "local:²"], ["--cluster local:N", "got 'local:²'"], []),
    "too many workers": ([*SWEEP, "--cluster", "local:99999999"], ["--cluster local:N", f"1 to {MAX_WORKERS}"], []),
    "port too high": ([*SWEEP, "--cluster", "tcp://localhost:99999"], ["--cluster", "PORT from 1 to 65535"], []),
    "port zero": ([*SWEEP, "--cluster", "tcp://localhost:0"], ["PORT from 1 to 65535"], []),
    "port not a number": ([*SWEEP, "--cluster", "tcp://localhost:http"], ["PORT from 1 to 65535"], []),
}


@pytest.fixture
def no_work(monkeypatch):
    """Training, running a sweep point or starting a cluster fails the test."""
    from dyntools.simulations import cluster, simulate, sweep

    for module, name in ((simulate, "_train_all"), (sweep, "run_simulations"), (sweep, "run_theories"),
                         (cluster, "local_client"), (cluster, "remote_client")):
        monkeypatch.setattr(module, name, lambda *a, name=name, **k: pytest.fail(f"{name} was called"))


def _refused(cli, tmp_path, args):
    """Run the command with --out in an empty folder, recording every warning; its stderr line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, stdout, stderr = cli(*args, "--out", tmp_path / "run")
    assert code == 2 and stdout == "", (code, stdout, stderr)
    assert len(stderr.splitlines()) == 1 and stderr.startswith("dyntools: error: "), stderr
    assert [str(w.message) for w in caught] == []
    assert list(tmp_path.iterdir()) == []
    return stderr


@pytest.mark.parametrize("args, says, never", CASES.values(), ids=CASES.keys())
def test_bad_value_is_one_line_naming_its_flag_and_the_valid_range(cli, tmp_path, no_work, args, says, never):
    message = _refused(cli, tmp_path, args)
    assert all(text in message for text in says), message
    assert not any(text in message for text in never), message


@pytest.mark.parametrize("case", ["tiny xi", "huge lr", "infinite grid"])
def test_no_warning_reaches_a_real_terminal(tmp_path, case):
    """In a process of its own (pytest records warnings in process): stderr is the one line."""
    args = CASES[case][0]
    result = subprocess.run([sys.executable, "-m", "dyntools", *args, "--out", str(tmp_path / "run")], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_memory_budget_counts_batches_only_when_a_network_is_trained():
    huge = SimulationConfig(batch=10**8)
    with pytest.raises(DyntoolsError, match="input batches would need") as error:
        huge.validate()
    assert "batch" in error.value.arguments
    huge.validate(network=False)  # the theory draws no batches
    with pytest.raises(DyntoolsError, match="saved weights") as error:
        SimulationConfig(saves=10**5, steps=10**5, neurons=10**4).validate(network=False)
    assert "seeds" not in error.value.arguments


def test_theory_only_sweep_is_not_refused_for_its_batch_size(cli, tmp_path, monkeypatch):
    from dyntools.simulations import sweep

    monkeypatch.setattr(sweep, "run_sweep", lambda *a, **k: pytest.fail("validated; nothing to run here"))
    code, _, stderr = cli(*SWEEP, "--batch", "100000000", "--out", tmp_path / "s")
    assert code == 2 and "GiB" in stderr  # with a network the batches are refused
    with pytest.raises(pytest.fail.Exception, match="validated"):
        cli(*SWEEP, "--batch", "100000000", "--theory-only", "--out", tmp_path / "s")
