"""`dyntools plot DIR`: every run's figures redrawn from its saved files equal those it wrote."""

import pytest

TINY_SIM = ["--n-dims", "10", "--steps", "40", "--saves", "4", "--batch", "100", "--seeds", "2"]

RUNS = {
    "simulate": (["simulate", "--family", "alg", "--param", "3", "--neurons", "2", *TINY_SIM],  # infinite kurtosis
                 ["theory_vs_simulation.png", "receptive_fields.png"]),
    "inputs": (["inputs", "--kurtosis", "-1", "--2d", "--n-dims", "6", "--samples", "500"], ["inputs.png"]),
    "sweep": (["sweep", "--grid", "kurtosis=-1,1", "--grid", "xi1=2,3", "--theory-only", "--n-dims", "10",
               "--steps", "20", "--saves", "2"], ["ipr_vs_kurtosis_xi1.png"]),
    "baseline": (["baseline", "ica", "--kurtosis", "2", "--n-dims", "10", "--atoms", "4", "--samples", "300"],
                 ["atoms.png"]),
}


@pytest.mark.parametrize("kind", RUNS)
def test_plot_redraws_the_figures_the_run_wrote(cli, tmp_path, kind):
    args, figures = RUNS[kind]
    assert cli(*args, "--out", tmp_path / "run")[0] == 0
    code, stdout, _ = cli("plot", tmp_path / "run", "--out", tmp_path / "again")
    assert code == 0 and sorted(p.name for p in (tmp_path / "again").iterdir()) == sorted(figures)
    for name in figures:
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "run" / name).read_bytes(), name


def test_plot_refuses_what_is_not_a_run(cli, tmp_path):
    code, _, stderr = cli("plot", tmp_path, "--out", tmp_path / "figures")
    assert code == 2 and "not a finished dyntools run" in stderr and not (tmp_path / "figures").exists()


def test_image_patch_atoms_are_drawn_as_learned_and_task_atoms_centred():
    """A patch has edges: rolling it to centre its peak would wrap its structure around them."""
    import matplotlib.pyplot as plt
    import numpy as np

    from dyntools.plots import atoms_figure

    atom = np.zeros((1, 16))
    atom[0, 0], atom[0, 1] = 1.0, 0.5  # peak in the corner of a 4 x 4 patch
    for periodic, corner in ((False, 1.0), (True, 0.0)):
        fig = atoms_figure(atom, (4, 4), "t", periodic=periodic)
        image = next(ax for ax in fig.axes if ax.images).images[0].get_array()
        assert image[0, 0] == corner and np.abs(image).max() == 1.0
        plt.close(fig)
