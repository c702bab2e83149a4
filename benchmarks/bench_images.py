"""dyntools' FastICA against scikit-learn's on the same whitened natural-image patches: time and
the Gabor measures side by side (the share of Gabor-like, localized basis functions, median fit
R^2, n_x, n_y), with the PCA control; and the floor, one pass of the fixed-point update.

    python benchmarks/bench_images.py [--patches 20000] [--size 12] [--seeds 3]

scikit-learn is a test/benchmark dependency only (``pip install -e '.[test]'``).
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import markdown_table  # noqa: E402

from dyntools.baselines import fast_ica, principal_components  # noqa: E402
from dyntools.inputs.images import natural_patches  # noqa: E402
from dyntools.metrics import gabor_fit, gabor_summary  # noqa: E402


def sklearn_ica(patches: np.ndarray, components: int, seed: int) -> tuple[np.ndarray, int]:
    from sklearn.decomposition import FastICA

    ica = FastICA(components, whiten="unit-variance", fun="logcosh", algorithm="parallel", tol=1e-4,
                  max_iter=1000, random_state=seed).fit(patches)
    return ica.mixing_.T, ica.n_iter_


def measures(atoms: np.ndarray, size: int) -> list[str]:
    s = gabor_summary(gabor_fit(atoms, (size, size)), (size, size))
    return [f"{100 * s['gabor_share']:.0f}%", f"{s['gabor_r2_median']:.2f}", f"{s['gabor_nx_median']:.2f}",
            f"{s['gabor_ny_median']:.2f}"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patches", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=12)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for seed in range(args.seeds):
        patches = natural_patches(args.size, args.patches, seed).reshape(args.patches, -1).astype(np.float64)
        start = time.perf_counter()
        ours = fast_ica(patches, seed=seed)
        t_ours = time.perf_counter() - start
        components = len(ours["filters"])
        start = time.perf_counter()
        theirs, iterations = sklearn_ica(patches, components, seed)
        t_theirs = time.perf_counter() - start
        rows.append([seed, "dyntools", f"{t_ours:.1f} s", ours["iterations"], *measures(ours["basis"].T, args.size)])
        rows.append([seed, "scikit-learn", f"{t_theirs:.1f} s", iterations, *measures(theirs, args.size)])
        rows.append([seed, "PCA (control)", "", "", *measures(principal_components(patches), args.size)])
    print(f"FastICA, {args.size} x {args.size} patches, {args.patches} patches, complete ({components} components)\n")
    print(markdown_table(["seed", "method", "time", "iterations", "Gabor-like and localized", "median R^2",
                          "median n_x", "median n_y"], rows))


if __name__ == "__main__":
    main()
