"""User densities are parsed against a whitelist, never evaluated."""

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from dyntools.errors import DyntoolsError
from dyntools.inputs.density import DensityMarginal
from dyntools.inputs.expression import parse_density, x

INJECTIONS = [
    "(__import__('os').system('touch PWNED') or 1)*exp(-x**2/2)/sqrt(2*pi)",
    "__import__('os').system('touch PWNED')", "().__class__.__bases__", "x.__class__", "lambda: 1",
    "[x for x in (1,)]", "{x: 1 for x in (1,)}", "open('PWNED', 'w')", "__builtins__", "exec('1')", "eval('1')",
    "getattr(x, 'y')", "exp(x=1)", "exp(*[x])", "f'{x}'", "x[0]", "(y := 1)", "exp.__globals__", "exp(x).func",
    "'PWNED'", "b'x'", "x if x else 1", "x < 1", "not x", "x and 1", "...", "[1][0]", "exp(x)(1)", "sympify('x')",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injections_are_rejected_and_create_nothing(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DyntoolsError) as error:
        DensityMarginal(text)
    assert "\n" not in str(error.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text, expected", [
    ("2*exp(-x**4)/gamma(1/4)", 2 * sp.exp(-x**4) / sp.gamma(sp.Rational(1, 4))),
    ("exp(-sqrt(2)*Abs(x))/sqrt(2)", sp.exp(-sp.sqrt(2) * sp.Abs(x)) / sp.sqrt(2)),
    ("exp(-x**2/2)/sqrt(2*pi)", sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)),
    ("abs(x) * E**(-x**2) - -0.5", sp.Abs(x) * sp.E ** (-x**2) + sp.Float(0.5)),
])
def test_valid_densities_give_the_sympy_expression(text, expected):
    assert sp.simplify(parse_density(text) - expected) == 0


@pytest.mark.parametrize("text, excess_kurtosis", [
    ("2*exp(-x**4)/gamma(1/4)", -0.811562),  # generalized normal, beta = 4
    ("exp(-sqrt(2)*Abs(x))/sqrt(2)", 3.0),  # Laplace
    ("exp(-x**2/2)/sqrt(2*pi)", 0.0),
    ("x**2*exp(-x**2/2)/sqrt(2*pi)", -4 / 3),  # E Y^4 / (E Y^2)^2 = 15 / 9 ... minus 3
])
def test_parsed_densities_have_the_right_kurtosis(text, excess_kurtosis):
    assert DensityMarginal(text).excess_kurtosis == pytest.approx(excess_kurtosis, abs=1e-5)


@pytest.mark.parametrize("text, message", [
    ("1/(pi*(1+x**2))", "infinite variance"),  # Cauchy
    ("exp(x**2)", "integrates to"), ("-exp(-x**2/2)/sqrt(2*pi)", "non-negative"), ("log(x)", "non-negative"),
    ("sqrt(-1-x**2)", "non-negative"), ("1/x", "non-negative"), ("0", "integrates to 0"),
    ("exp(-(x-1)**2/2)/sqrt(2*pi)", "symmetric"), ("1/0", "division by zero"), ("9**9**9**9", "exponents at most 1e\\+06"),
    ("10**10**10", "exponents at most 1e\\+06"), ("gamma(1000000)", "gamma"), ("1e999", "finite"), ("((", "could not parse"),
    ("a*x", "only depend on x"), ("exp(-x**2)" + "+0" * 150, "syntax nodes"), ("x" * 600, "characters"),
    ("exp(1, 2)", "number of arguments"), ("exp(-x**2/2)/sqrt(2*pi) + 1j", "constant"),
])
def test_bad_densities_are_one_line_errors(text, message):
    with pytest.raises(DyntoolsError, match=message) as error:
        DensityMarginal(text)
    assert "\n" not in str(error.value)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=40), st.text(alphabet="x0123456789.+-*/() epsqrtabgmlodcnhiuEI_[]:,'", max_size=30)))
def test_any_text_parses_or_fails_in_one_line(text):
    try:
        expr = parse_density(text)
    except DyntoolsError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(expr, sp.Basic) and expr.free_symbols <= {x}


def test_derive_refuses_an_injected_density(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = cli("derive", "--density", INJECTIONS[0])
    assert code == 2 and len(stderr.strip().splitlines()) == 1 and "and/or" in stderr and stdout == ""
    assert list(tmp_path.iterdir()) == []


GAUSSIANS_AT_ANY_SCALE = [
    "exp(-1e6*x**2)*564.189583547756",  # s.d. 7.07e-4: quad once read its failure as m4 = inf
    "exp(-x**2*10**60/2)/sqrt(2*pi)*10**30",  # s.d. 1e-30
    "exp(-x**2/(2*10**60))/sqrt(2*pi)/10**30",  # s.d. 1e30
]


@pytest.mark.parametrize("text", GAUSSIANS_AT_ANY_SCALE)
def test_moments_are_found_wherever_the_mass_is(text):
    marginal = DensityMarginal(text)
    assert marginal.excess_kurtosis == pytest.approx(0.0, abs=1e-9)
    assert [marginal.moment(p) for p in (6, 8, 22)] == pytest.approx([15, 105, 13749310575], rel=1e-9)


@pytest.mark.parametrize("text, kurtosis, infinite", [
    ("8/(3*pi*(1+x**2)**3)", 6.0, 6),  # Student-t, nu = 5, rescaled: m4 = 9, m6 diverges
    ("1.5/(1+abs(x))**4", None, 4),  # tails |x|^-4: m4 diverges logarithmically
])
def test_moments_are_infinite_exactly_where_the_tail_diverges(text, kurtosis, infinite):
    marginal = DensityMarginal(text)
    if kurtosis is not None:
        assert marginal.excess_kurtosis == pytest.approx(kurtosis, rel=1e-9)
    assert math.isfinite(marginal.moment(infinite - 2)) and marginal.moment(infinite) == math.inf


def test_a_density_too_narrow_to_integrate_is_an_error_not_a_number():
    with pytest.raises(DyntoolsError, match="could not compute E X\\^0") as error:
        DensityMarginal("56.4189583547756*exp(-1e4*(x**2-1)**2)")  # a ring of relative width 0.4%
    assert "\n" not in str(error.value)


HUGE_NUMBERS = [
    ("x**(10**999)", "10 \\*\\* 999"), ("(10**999)*(10**999)*exp(-x**2)", "10 \\*\\* 999"),
    ("1" * 400, "400 characters"), ("exp(1000)*exp(-x**2)", "exp\\(1000\\)"), ("1e-320*exp(-x**2)", "1e-320"),
    ("2**1000*exp(-x**2)", "2 \\*\\* 1000"), ("x**(2*10**6)", "exponent"), ("gamma(171)*exp(-x**2)", "gamma\\(171\\)"),
]


@pytest.mark.parametrize("text, culprit", HUGE_NUMBERS)
def test_numbers_beyond_float64_are_one_line_errors_naming_the_limit(text, culprit):
    with pytest.raises(DyntoolsError, match=culprit) as error:
        parse_density(text)
    message = str(error.value)
    assert "\n" not in message and "1e+06" in message and len(message) < 300
    assert "1e+300" in message or "exponent" in message or "400 characters" in message


@pytest.mark.parametrize("text", ["x**(10**999)", "(10**999)*(10**999)*exp(-x**2)", "1" * 400,
                                  "exp(-x**2)\n/sqrt(pi)\n+y", "exp(-x**2)\n*10**999"])
def test_derive_refuses_huge_numbers_and_newlines_in_one_line(cli, text):
    code, stdout, stderr = cli("derive", "--density", text, "--order", "3")
    assert code == 2 and stdout == "" and len(stderr.strip().splitlines()) == 1 and "internal error" not in stderr
