"""Walk through the derivation of the effective single-neuron dynamics, step by step.

Every step is a SymPy object: print it, change it, re-derive. Run:

    python examples/derive_amplifier.py            # Kur(k) with excess kurtosis -0.8
    python examples/derive_amplifier.py --density "2*exp(-x**4)/gamma(1/4)"
"""

import argparse

import jax
import sympy as sp

from dyntools.inputs import make_marginal
from dyntools.inputs.density import DensityMarginal
from dyntools.theory import general_steps, marginal_steps, series_coefficients, series_in_moments
from dyntools.theory.symbolic import a, moment_symbol

jax.config.update("jax_enable_x64", True)  # exact moments are float64; dyntools never sets this itself

parser = argparse.ArgumentParser()
parser.add_argument("--family", default="alg")
parser.add_argument("--kurtosis", type=float, default=-0.8)
parser.add_argument("--density", default=None, help="your own symmetric density in x")
parser.add_argument("--order", type=int, default=7)
args = parser.parse_args()

marginal = DensityMarginal(args.density) if args.density else make_marginal(args.family, excess_kurtosis=args.kurtosis)

for number, step in enumerate(general_steps(args.order) + marginal_steps(marginal, args.order), start=1):
    print(f"[{number}] {step.title}\n    {step.explanation}\n    $$ {step.latex()} $$\n")

# The cubic coefficient, read off the general series: -(m4 - 3)/6 * sqrt(2/pi).
cubic = sp.simplify(series_in_moments(3)[3])
print("cubic coefficient:", sp.latex(cubic), "=", sp.latex(sp.factor(cubic)))
print("sign flips at m4 = 3:", sp.solve(cubic, moment_symbol(4)))
cubic_series = sum(c * a**n for n, c in series_coefficients(marginal, 3).items())
print("phi up to a^3 for this marginal:", sp.N(cubic_series, 8))
