"""Property: whatever arguments a user gives any command, it exits 0 or 2, never shows a
traceback, and writes nothing when it exits 2.

Hypothesis draws a command, starts from small valid arguments, and replaces one or two options
with values at and beyond their edges (zero, negative, NaN, inf, huge, 1e308 and 1e-308, wrong
types, odd strings: newlines, other scripts' digits such as '²' and '١'). A refused command
(exit 2) prints one line and issues no warning. Size options only take small valid values or
invalid ones, and a sweep's --cluster only refused ones, so valid draws finish in seconds.
The example budget is fixed; the whole test takes about a minute on 2 cores.
"""

import os
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import invoke

ODD_TEXT = ["", "nosuch", "../x", "__import__('os').system('touch PWNED')", "a" * 300, "ñ", "1", "-", "a\nb",
            "a\u2028b", "²"]
NUMBERS = ["0", "-0", "1", "-1", "0.5", "-2", "-2.0000001", "-1.2", "2", "4", "1e-300", "1e-308", "5e-324", "1e308",
           "-1e308", "1e309", "nan", "inf", "-inf", "abc", "", "1e", "0x10", "²", "١", "1\n2"]
SIZES = ["0", "-1", "1", "2", "3", "5", "9999999999999", "99999999999999999999999", "1.5", "nan", "abc", "", "²", "١"]
GRIDS = ["xi1=1,2", "gain=1,2", "kurtosis=inf:1:3", "kurtosis=-1e308:1e308:3", "kurtosis=0:1:²", "kurtosis=١,2",
         "lr=1e308", "init-scale=1e-308,1", "xi0=1e-308", "a\nb=1", "=1", "kurtosis"]
CLUSTERS = ["none", "local:0", "local:²", "local:99999999", "local:", "tcp://localhost:99999", "tcp://localhost:0",
            "tcp://localhost:x", "tcp://:8786", "tcp://a\nb:1", *ODD_TEXT]  # refused ones only (or none)
SMALL_COUNTS = ["0", "-1", "1", "2", "99999999999999999999999", "2.5", "abc"]
FAMILIES = ["auto", "gaussian", "binary", "uniform", "laplace", "alg", "gennorm", "t", "nlgp", "elliptical-t", "shell",
            "ising", *ODD_TEXT[:3]]


def one(values):
    return st.sampled_from(values).map(lambda v: [v])


def two(values):
    return st.lists(st.sampled_from(values), min_size=0, max_size=3)


FLAG = st.just([])
TASK_OPTIONS = {
    "--family": one(FAMILIES), "--kurtosis": one(NUMBERS), "--param": one(NUMBERS), "--gain": one(NUMBERS),
    "--n-dims": one(SIZES), "--xi": two(NUMBERS), "--proportion": one(NUMBERS), "--2d": FLAG, "--seed": one(SIZES),
    "--gaussian-clone": FLAG,
}
TINY = {"--n-dims": "6", "--steps": "4", "--batch": "8", "--seeds": "1", "--saves": "2"}
COMMANDS = {
    "inputs": ({"--kurtosis": "0", "--n-dims": "6", "--samples": "20"},
               {**TASK_OPTIONS, "--samples": one(SIZES)}),
    "derive": ({"--order": "3"},
               {"--family": one(FAMILIES), "--kurtosis": one(NUMBERS), "--param": one(NUMBERS), "--gain": one(NUMBERS),
                "--order": one(SIZES), "--density": one([*ODD_TEXT, "exp(-x**2/2)/sqrt(2*pi)", "1/(pi*(1+x**2))",
                                                          "x.__class__", "exp(x**2)", "9**9**9**9"])}),
    "simulate": ({"--kurtosis": "0", **TINY},
                 {**TASK_OPTIONS, "--neurons": one(SMALL_COUNTS), "--activation": one(["relu", "sigmoid", *ODD_TEXT]),
                  "--bias": FLAG, "--trainer": one(["sgd", "flow", "nosuch"]), "--steps": one(SIZES),
                  "--lr": one(NUMBERS), "--batch": one(SIZES), "--samples": one(SIZES), "--init-scale": one(NUMBERS),
                  "--seeds": one(SMALL_COUNTS), "--saves": one(SIZES),
                  "--amplifier": one(["quadrature", "series", "closed", *ODD_TEXT]), "--order": one(SIZES),
                  "--solver": one(["tsit5", "euler", *ODD_TEXT]), "--precision": one(["float64", *ODD_TEXT])}),
    "sweep": ({"--kurtosis": "0", **TINY},
              {"--kurtosis": one(["-1,1", "0:1:2", "0:1:0", "1:2", "nan", "0,inf", *NUMBERS[:6], *ODD_TEXT]),
               "--param": one(["3,5", "0", "nan", *ODD_TEXT]), "--gain": one(["1,2", "-1", *ODD_TEXT]),
               "--family": one(FAMILIES), "--lr": one(NUMBERS), "--steps": one(SIZES), "--xi": two(NUMBERS),
               "--seeds": one(SMALL_COUNTS), "--amplifier": one(ODD_TEXT), "--grid": one(GRIDS),
               "--cluster": one(CLUSTERS), "--theory-only": FLAG, "--batch": one(SIZES),
               "--init-scale": one(NUMBERS)}),
    "baseline": ({"": "lca", "--kurtosis": "1", "--n-dims": "6", "--atoms": "4", "--steps": "2", "--samples": "60"},
                 {"": one(["lca", "ica", "wlsc", *ODD_TEXT]), **TASK_OPTIONS, "--atoms": one(SMALL_COUNTS),
                  "--lambda": one(NUMBERS), "--threshold": one(["soft", "hard", *ODD_TEXT]), "--nonneg": FLAG,
                  "--steps": one(SIZES), "--batch": one(SIZES), "--lr": one(NUMBERS), "--samples": one(SIZES),
                  "--patch-size": one(SIZES)}),
    "localization-map": ({"--kurtosis": "nan"},  # runs take minutes: only invalid draws complete
                         {"--methods": one(["lca,pca", "", ",", *ODD_TEXT]), "--n-dims": one(["0", "-1", "abc"]),
                          "--atoms": one(["0", "-5", "abc"]), "--steps": one(["0", "nan"]),
                          "--lambda": one(["0", "-1", "nan", "inf"])}),
    "reproduce": ({"": "nosuch"},  # real runs take seconds each: invalid names and seeds only
                  {"": one(ODD_TEXT), "--seed": one(["-1", "abc", "1.5", ""])}),
    "show": ({"": "RUN"}, {"": one(["RUN", "MISSING", "FILE", "CORRUPT", *ODD_TEXT])}),
    "compare": ({"": "RUN", "--out": "c.png"},
                {"": one(["RUN", "MISSING", "FILE", "CORRUPT", "INPUTS", *ODD_TEXT]),
                 "--out": one(["c.png", "c", "sub/c.svg", "FILE", "", "/proc/nope/c.png"])}),
}


@st.composite
def invocations(draw):
    command = draw(st.sampled_from(sorted(COMMANDS)))
    base, options = COMMANDS[command]
    chosen = dict.fromkeys(base, None)
    for name in draw(st.lists(st.sampled_from(sorted(options)), min_size=1, max_size=2, unique=True)):
        chosen[name] = draw(options[name])
    args = [command]
    for name, values in chosen.items():
        values = [base[name]] if values is None else values
        args += [name, *values] if name else values
    return args


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    """Finished runs (simulate and inputs), a plain file and a corrupt run, outside the cwd."""
    root = tmp_path_factory.mktemp("fuzz-fixtures")
    for name, args in {"RUN": ["simulate", "--kurtosis", "0", *sum(TINY.items(), ())],
                       "INPUTS": ["inputs", "--kurtosis", "0", "--n-dims", "6", "--samples", "10"]}.items():
        assert invoke(*args, "--out", root / name)[0] == 0
    (root / "FILE").write_text("not a run")
    (root / "CORRUPT").mkdir()
    (root / "CORRUPT" / "run.json").write_text("{")
    return root


def _resolve(args, fixtures):
    names = {"RUN", "MISSING", "FILE", "CORRUPT", "INPUTS"}
    return [str(fixtures / a) if a in names else a for a in args]


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(args=invocations())
def test_every_command_exits_0_or_2_without_traceback(fixtures, args):
    with tempfile.TemporaryDirectory() as cwd:
        previous = os.getcwd()
        os.chdir(cwd)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                code, stdout, stderr = invoke(*_resolve(args, fixtures))
        finally:
            os.chdir(previous)
        written = sorted(p.name for p in Path(cwd).iterdir())
    assert code in (0, 2), (args, code, stderr)
    assert "Traceback" not in stderr + stdout, args
    assert "PWNED" not in written
    if code == 2:
        assert len(stderr.strip().splitlines()) == 1, (args, stderr)
        assert written == [], (args, written)
        assert [str(w.message) for w in caught] == [], args
