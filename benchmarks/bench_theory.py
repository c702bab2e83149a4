"""Theory timings: deriving (SymPy, cold and cached) and evaluating phi on 10^6 points with the
code-generated closed form and series against quadrature, measured in the same run.

    python benchmarks/bench_theory.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import best_time, markdown_table  # noqa: E402

from dyntools._jax import jax, jnp  # noqa: E402
from dyntools.inputs import Alg, Laplace, Uniform  # noqa: E402
from dyntools.theory import make_amplifier  # noqa: E402
from dyntools.theory.symbolic import closed_form, series_in_moments  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    rows = []
    for name, fn in (("series in moments, order 7", lambda: series_in_moments(7)),
                     ("closed form, uniform", lambda: closed_form(Uniform())),
                     ("closed form, Laplace", lambda: closed_form(Laplace()))):
        cold, warm = timed(fn), timed(fn)
        rows.append([name, f"{cold:.3f} s", f"{warm * 1e6:.1f} us"])
    print(markdown_table(["derivation", "first call", "second call (cached)"], rows))

    a = jnp.linspace(-0.99, 0.99, 1_000_000)
    rows = []
    for marginal in (Uniform(), Laplace(), Alg(9.0)):
        times = {}
        for kind in ("quadrature", "closed", "series"):
            try:
                phi = jax.jit(make_amplifier(marginal, kind, order=7))
            except Exception:  # no closed form for this family
                continue
            times[kind] = best_time(lambda: phi(a).block_until_ready(), repeats=3, min_time=0.1)
        ref = times["quadrature"]
        rows.append([repr(marginal), f"{ref:.3f} s"] + [
            f"{times[k]:.4f} s ({ref / times[k]:.0f}x)" if k in times else "n/a" for k in ("closed", "series")])
    print()
    print(markdown_table(["marginal", "quadrature (10^6 points)", "closed form", "series (order 7)"], rows))


if __name__ == "__main__":
    main()
