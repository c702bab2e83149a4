import json
import math
import os
import subprocess
import sys

import pytest


def test_derive_json_has_the_documented_fields(cli):
    code, stdout, _ = cli("derive", "--family", "alg", "--kurtosis", "-0.8", "--order", "7", "--json")
    assert code == 0
    report = json.loads(stdout)
    assert report["family"] == "alg" and report["parameter"] > 4
    assert report["excess_kurtosis"] == pytest.approx(-0.8)
    assert report["moments"]["m4"] == pytest.approx(2.2) and "m6" in report["moments"]
    assert set(report["series"]) == {"1", "3", "5", "7"}
    assert report["series"]["1"] == pytest.approx(math.sqrt(2 / math.pi))
    assert report["series"]["3"] == pytest.approx(0.8 / 6 * math.sqrt(2 / math.pi))
    assert abs(report["series_error"]["0.3"]) < 1e-4 and "Sigma_1" in report["ode"]
    # the reported error is the reported series minus the quadrature amplifier of the same member
    from dyntools.inputs import make_marginal
    from dyntools.theory import make_amplifier

    quadrature = make_amplifier(make_marginal("alg", parameter=report["parameter"]), "quadrature")
    for a in report["series_error"]:
        series = sum(c * float(a) ** int(n) for n, c in report["series"].items())
        assert report["series_error"][a] == pytest.approx(series - float(quadrature(float(a))), rel=1e-6, abs=1e-12), a


def test_derive_text_and_closed_form(cli):
    """Binary pixels: the printed closed form, parsed by SymPy, is erf(a / sqrt(2 (1 - a^2)))
    (checked at five points, 1e-12); the printed series coefficients are its Taylor
    coefficients (to the 6 printed digits); the printed series errors are the order-5 Taylor
    polynomial minus the closed form (to the 3 printed digits)."""
    import re

    import sympy

    code, stdout, _ = cli("derive", "--family", "binary", "--order", "5")
    assert code == 0 and "early-time" in stdout
    a = sympy.Symbol("a")
    closed = sympy.sympify(re.search(r"closed form: (.+)", stdout)[1], locals={"a": a})
    exact = lambda x: math.erf(x / math.sqrt(2 * (1 - x * x)))  # noqa: E731
    for x in (-0.9, -0.3, 0.1, 0.5, 0.95):
        assert float(closed.subs(a, x)) == pytest.approx(exact(x), abs=1e-12)
    terms = re.findall(r"\(([-0-9.e]+)\) a\^(\d+)", re.search(r"series: phi\(a\) = (.+)", stdout)[1])
    taylor = sympy.series(closed, a, 0, 7).removeO()
    assert [int(n) for _, n in terms] == [1, 3, 5]
    for c, n in terms:
        assert float(c) == pytest.approx(float(taylor.coeff(a, int(n))), rel=5e-6)
    errors = re.search(r"series - quadrature at a = 0.3: ([-0-9.e]+), 0.6: ([-0-9.e]+)", stdout)
    for x, printed in ((0.3, errors[1]), (0.6, errors[2])):  # (the 6-digit coefficients are too coarse here)
        assert float(printed) == pytest.approx(float(taylor.subs(a, x)) - exact(x), rel=5e-3)


def test_derive_latex_walks_through_the_steps(cli):
    code, stdout, _ = cli("derive", "--family", "uniform", "--latex", "--order", "5")
    assert code == 0
    assert "conditional-Gaussian step" in stdout and r"\operatorname{erf}" in stdout and r"\dot w" in stdout


def test_derive_user_density(cli):
    code, stdout, _ = cli("derive", "--density", "2*exp(-x**4)/gamma(1/4)", "--order", "5", "--json")
    assert code == 0
    assert json.loads(stdout)["excess_kurtosis"] == pytest.approx(-0.8115, abs=1e-3)


def test_derive_elliptical_says_the_exact_amplifier_is_linear(cli):
    code, stdout, _ = cli("derive", "--family", "elliptical-t", "--param", "6", "--order", "3", "--json")
    assert code == 0 and json.loads(stdout)["exact_amplifier"]["kind"] == "linear"


@pytest.mark.parametrize("args, message", [
    (["--family", "nope"], "unknown family"), (["--kurtosis", "-3"], ">= -2"), (["--order", "0"], "--order"),
    (["--density", "exp(-x**2)"], "integrates to"), (["--density", "exp(-(x-1)**2/2)/sqrt(2*pi)"], "symmetric"),
    (["--family", "alg", "--kurtosis", "-1.5"], "(-1.2, inf)"),
])
def test_derive_bad_input(cli, args, message):
    code, _, stderr = cli("derive", *args)
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1


def test_derive_a_narrow_gaussian_density(cli):
    """s.d. 7e-4: the adaptive quadrature used to fail on m4 and report it as infinite."""
    code, stdout, _ = cli("derive", "--density", "exp(-1e6*x**2)*564.189583547756", "--order", "7", "--json")
    report = json.loads(stdout)
    assert code == 0 and report["excess_kurtosis"] == pytest.approx(0.0, abs=1e-9)
    assert report["series_order"] == 7 and report["series_missing_moment"] is None
    assert report["moments"]["m8"] == pytest.approx(105, rel=1e-9) and report["scale"] == pytest.approx(1 / math.sqrt(2e6))


def test_derive_alg_with_huge_k_gives_the_uniform_limit(cli):
    code, stdout, _ = cli("derive", "--family", "alg", "--param", "1.5e308", "--order", "5", "--json")
    report = json.loads(stdout)
    assert code == 0 and report["excess_kurtosis"] == pytest.approx(-1.2, abs=1e-12) and report["series_order"] == 5


def test_derive_text_describes_a_user_density_and_says_no_elementary_closed_form(cli):
    code, stdout, _ = cli("derive", "--density", "2*exp(-x**4)/gamma(1/4)", "--order", "3")
    assert code == 0 and "no parameter" not in stdout and "meijerg(" not in stdout
    assert "marginal: your density '2*exp(-x**4)/gamma(1/4)' (s.d. 0.581368, standardized to 1)" in stdout
    assert "closed form: no elementary closed form" in stdout


def test_derive_gives_the_same_output_in_every_process():
    """The closed-form search once ran under SIGALRM, which could land in JAX's GC callback: slow, noisy, and
    sometimes a different answer. Two processes with different hash seeds must print the same, and nothing else."""
    outputs = set()
    for seed in ("1", "2"):
        command = [sys.executable, "-c", "from dyntools.cli import main; main()", "derive", "--density",
                   "2*exp(-x**4)/gamma(1/4)", "--order", "3"]
        result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
                                timeout=300)
        assert result.returncode == 0 and "Exception ignored" not in result.stderr
        outputs.add(result.stdout)
    assert len(outputs) == 1
