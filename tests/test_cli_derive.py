import json
import math

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


def test_derive_text_and_closed_form(cli):
    code, stdout, _ = cli("derive", "--family", "binary", "--order", "5")
    assert code == 0 and "closed form: erf(" in stdout and "series" in stdout and "early-time" in stdout


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
