"""Natural images (issue 19): reading the user's images, complete ICA's basis functions, the
Gabor measures of image baselines, and bad input caught before any work."""

import json

import numpy as np
import pytest
import scipy.io

from conftest import invoke
from dyntools.baselines import BaselineConfig, fast_ica, principal_components, train_on_images
from dyntools.errors import DyntoolsError
from dyntools.inputs.images import (
    DEFAULT_IMAGES, DOWNSAMPLE, MARGIN, ImageSet, check_images, default_images, describe_patches, downsample,
    natural_patches, read_images,
)


def smooth_image(rows: int, cols: int, seed: int = 0) -> np.ndarray:
    """A random image with a 1/f amplitude spectrum, in 0..255."""
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(cols) * cols, np.fft.fftfreq(rows) * rows))
    phases = np.exp(2j * np.pi * np.random.default_rng(seed).random((rows, cols)))
    image = np.fft.ifft2(phases / np.maximum(f, 1)).real
    return 255 * (image - image.min()) / np.ptp(image)


def test_default_images_are_the_lossless_photographs():
    images = default_images()
    assert images.names == DEFAULT_IMAGES and images.source == "scikit-image" and not images.whitened
    assert all(im.ndim == 2 and min(im.shape) >= 256 for im in images.images)
    description = describe_patches(12, 1000)
    assert description["images"] == list(DEFAULT_IMAGES) and description["downsample"] == DOWNSAMPLE
    assert description["whitening"].startswith("Olshausen-Field")


def test_downsample_averages_blocks():
    image = np.arange(35.0).reshape(5, 7)
    assert np.array_equal(downsample(image, 2), [[4.0, 6.0, 8.0], [18.0, 20.0, 22.0]])


def test_read_a_folder_of_pngs_and_tiffs(tmp_path):
    import skimage.io

    first, second = smooth_image(64, 80, 0), smooth_image(70, 70, 1)
    skimage.io.imsave(tmp_path / "a.png", first.astype(np.uint8), check_contrast=False)
    skimage.io.imsave(tmp_path / "b.tif", second.astype(np.uint16), check_contrast=False)
    (tmp_path / "notes.txt").write_text("not an image: skipped")
    images = read_images(tmp_path)
    assert images.names == ("a.png", "b.tif") and images.source == str(tmp_path)
    np.testing.assert_array_equal(images.images[0], first.astype(np.uint8))  # lossless
    np.testing.assert_array_equal(images.images[1], second.astype(np.uint16))


def test_read_npy_mat_and_van_hateren(tmp_path):
    stack = np.stack([smooth_image(60, 60, seed) for seed in range(3)])
    np.save(tmp_path / "stack.npy", stack)
    images = read_images(tmp_path / "stack.npy")
    assert images.names == ("stack.npy[0]", "stack.npy[1]", "stack.npy[2]") and not images.whitened
    np.testing.assert_array_equal(images.images[2], stack[2])
    scipy.io.savemat(tmp_path / "IMAGES.mat", {"IMAGES": np.moveaxis(stack, 0, -1)})  # Olshausen: [H, W, K], whitened
    whitened = read_images(tmp_path / "IMAGES.mat")
    assert whitened.whitened and len(whitened.images) == 3
    np.testing.assert_allclose(whitened.images[1], stack[1])
    scipy.io.savemat(tmp_path / "raw.mat", {"IMAGES_RAW": np.moveaxis(stack, 0, -1)})
    assert not read_images(tmp_path / "raw.mat").whitened
    raw = (np.arange(1024 * 1536) % 4096).astype(">u2").reshape(1024, 1536)
    raw.tofile(tmp_path / "imk00001.iml")
    image = read_images(tmp_path / "imk00001.iml").images[0]
    assert image.shape == (1024, 1536) and image[1, 2] == raw[1, 2] == 1538


@pytest.mark.parametrize("make, message", [
    (lambda p: p.mkdir(), "no images in"),
    (lambda p: p.write_text("hello"), "is not an image file"),
    (lambda p: p.with_suffix(".png").write_bytes(b"\x89PNG garbage"), "cannot read image"),
    (lambda p: p.with_suffix(".iml").write_bytes(b"\0" * 100), "is not a van Hateren image"),
    (lambda p: np.save(p.with_suffix(".npy"), np.ones((2, 3, 4, 5))), "must hold a numeric [K, H, W] stack"),
    (lambda p: np.save(p.with_suffix(".npy"), np.ones((50, 50))), "is constant"),
    (lambda p: scipy.io.savemat(p.with_suffix(".mat"), {"other": np.ones((3, 3))}), "holds neither IMAGES"),
])
def test_bad_images_are_one_line_errors(tmp_path, make, message):
    target = tmp_path / "data"
    make(target)
    path = next(tmp_path.iterdir())
    with pytest.raises(DyntoolsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_images(path)


def test_images_too_small_for_the_patch_are_named():
    images = ImageSet(("big", "small"), (np.ones((200, 200)), np.ones((40, 90))), "test")
    check_images(images, 12)  # 40 // 2 = 20 = 12 + 2 * MARGIN: just fits
    with pytest.raises(DyntoolsError, match=r"image 'small' is 45 x 20 pixels after downsampling; a 13-pixel patch"):
        check_images(images, 13)
    with pytest.raises(DyntoolsError, match="patch_size must be between 4 and 32"):
        check_images(images, 40)
    assert MARGIN == 4


def test_patches_keep_away_from_the_borders():
    """Whitening wraps around an image's border: no patch reaches into its outer MARGIN pixels."""
    image = np.zeros((60, 60))
    image[MARGIN:-MARGIN, MARGIN:-MARGIN] = 1.0  # constant inside the margin: a patch there is flat
    marked = ImageSet(("marked",), (image,), "test", whitened=True)  # used as supplied: positions stay exact
    patches = natural_patches(8, 2000, images=marked)
    assert np.abs(patches).max() < 1e-5  # each patch centred to zero mean: flat patches only
    image[MARGIN, MARGIN] = 0.0  # one marked pixel lost: some patch (2000 of 45^2 positions) must show it
    assert np.abs(natural_patches(8, 2000, images=marked)).max() > 0.01


def test_complete_ica_basis_functions_invert_the_filters():
    rng = np.random.default_rng(0)
    sources = rng.laplace(size=(20_000, 6))
    mixing = rng.standard_normal((6, 6))
    data = sources @ mixing.T
    data -= data.mean(axis=1, keepdims=True)  # per-sample means removed: rank 5, as image patches
    result = fast_ica(data)
    assert result["rank"] == 5 and result["filters"].shape == (5, 6) and result["basis"].shape == (6, 5)
    np.testing.assert_allclose(result["filters"] @ result["basis"], np.eye(5), atol=1e-6)
    with pytest.raises(DyntoolsError, match=r"the data span 5 of 6 dimensions"):
        fast_ica(data, 6)
    components = principal_components(data)
    assert components.shape == (5, 6)
    np.testing.assert_allclose(components @ components.T, np.eye(5), atol=1e-10)


@pytest.fixture(scope="module")
def ica_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ica") / "run"
    code, stdout, stderr = invoke("baseline", "ica", "--images", "--patch-size", "8", "--samples", "10000",
                                  "--out", out, "--json")
    assert code == 0, stderr
    return out, json.loads(stdout)


def test_ica_on_images_saves_basis_functions_filters_and_gabor_fits(ica_run):
    out, summary = ica_run
    record = json.loads((out / "run.json").read_text())
    dictionary = np.load(out / "dictionary.npz")
    atoms, filters = dictionary["atoms"], dictionary["filters"]
    assert summary["components"] == summary["rank"] == atoms.shape[0] == 63  # 8 x 8, patch means removed
    np.testing.assert_allclose(filters @ atoms.T, np.eye(63), atol=1e-4)  # atoms are the basis functions
    assert record["config"]["inputs"]["images"] == list(DEFAULT_IMAGES)
    assert record["config"]["inputs"]["source"] == "scikit-image"
    assert summary["converged"] and summary["iterations"] < 1000
    assert np.mean(dictionary["gabor_r2"]) == pytest.approx(np.mean(dictionary["gabor_r2"]))
    assert summary["gabor_r2_median"] == pytest.approx(np.median(dictionary["gabor_r2"]))
    assert dictionary["pca_atoms"].shape == (63, 64)
    assert summary["gabor_share"] >= 0.4 and summary["pca_gabor_share"] <= 0.1
    assert sorted(p.name for p in out.iterdir()) == ["atoms.png", "dictionary.npz", "run.json", "tuning.png"]


def test_image_baseline_redraws_and_shows(ica_run, tmp_path):
    out, summary = ica_run
    code, stdout, stderr = invoke("show", out)
    assert code == 0, stderr
    assert f"atoms: {100 * summary['gabor_share']:.0f}% Gabor-like and localized" in stdout
    assert f"PCA components (control): {100 * summary['pca_gabor_share']:.0f}%" in stdout
    code, _, stderr = invoke("plot", out, "--out", tmp_path / "figures")
    assert code == 0, stderr
    assert (tmp_path / "figures" / "tuning.png").read_bytes() == (out / "tuning.png").read_bytes()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ica_atoms_are_gabor_like_on_every_seed(seed):
    """The canonical result at 12 x 12: at least 40% Gabor-like, localized basis functions, median
    fit R^2 >= 0.7, the PCA control at most 10% (three seeds, not one tuned)."""
    result = train_on_images(BaselineConfig("ica", samples=20_000, seed=seed), 12)
    summary = result.summary
    assert summary["gabor_share"] >= 0.4, summary
    assert summary["gabor_r2_median"] >= 0.7 and summary["pca_gabor_share"] <= 0.1


@pytest.mark.parametrize("args, message", [
    (["--images", "EMPTY"], "no images in"),
    (["--images", "NOTE"], "is not an image file"),
    (["--images", "SMALL"], "a 12-pixel patch needs at least 20"),
    (["--images", "--patch-size", "40"], "--patch-size must be between 4 and 32"),
    (["--images", "--gaussian-clone"], "--gaussian-clone applies to the task's inputs"),
])
def test_bad_image_input_exits_2_before_any_work(tmp_path, args, message):
    (tmp_path / "EMPTY").mkdir()
    (tmp_path / "NOTE").write_text("x")
    np.save(tmp_path / "SMALL.npy", smooth_image(30, 30))
    args = [str(tmp_path / "SMALL.npy") if a == "SMALL" else str(tmp_path / a) if a in ("EMPTY", "NOTE") else a
            for a in args]
    out = tmp_path / "run"
    code, stdout, stderr = invoke("baseline", "lca", *args, "--out", out)
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1 and message in stderr, stderr
    assert not out.exists()
