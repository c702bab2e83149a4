r"""Whitened natural-image patches, from lossless photographs shipped with scikit-image (offline)
or from the user's own images.

The default set is scikit-image's bundled PNG photographs `DEFAULT_IMAGES` (no JPEG: the 8 x 8
blocks of JPEG compression teach DCT-like atoms to any dictionary of small patches). Each image
is made grayscale, downsampled by block averaging (suppressing sensor noise and demosaicing
artefacts) and whitened as Olshausen & Field (1996): in its 2-D Fourier domain it is multiplied
by $R(f) = f \exp(-(f / f_0)^4)$ ($f$ the radial frequency in cycles/picture, $f_0$ = 0.8 x
Nyquist, their 200 cycles/picture on 512-pixel images), which flattens the $1/f$ amplitude
spectrum and removes the highest frequencies.

The user's own images (`read_images`): a folder of PNG/TIFF files, a ``.npy`` stack
[K, H, W] (or one [H, W] image), Olshausen's ``IMAGES.mat`` (already whitened: used as
supplied) or ``IMAGES_RAW.mat``, or van Hateren ``.iml`` / ``.imc`` raw files (1536 x 1024,
big-endian 16-bit).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..errors import DyntoolsError

DEFAULT_IMAGES = ("camera", "astronaut", "coffee", "chelsea", "grass", "gravel", "brick", "moon")
PICTURE_SUFFIXES = (".png", ".tif", ".tiff")
VAN_HATEREN_SHAPE = (1024, 1536)  # rows, columns of an .iml / .imc file
VAN_HATEREN_SUFFIXES = (".iml", ".imc")
DOWNSAMPLE = 2
F0_FRACTION = 0.8  # Olshausen & Field (1996): f0 = 200 cycles/picture on 512-pixel images
MARGIN = 4  # pixels kept away from an image's border, where whitening's periodic wrap-around acts
PATCH_SIZES = (4, 32)


@dataclass(frozen=True, eq=False)
class ImageSet:
    """Grayscale images and where they came from.

    Attributes:
        names: one name per image (scikit-image's name, or the file name and index).
        images: float arrays [rows, cols], in their original intensity units.
        source: ``"scikit-image"`` or the path they were read from.
        whitened: whether the images come whitened (Olshausen's ``IMAGES.mat``): used as
            supplied, neither downsampled nor whitened again.
    """

    names: tuple[str, ...]
    images: tuple[np.ndarray, ...]
    source: str
    whitened: bool = False


def _gray(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=float)
    return image[..., :3].mean(axis=-1) if image.ndim == 3 else image


@cache
def default_images() -> ImageSet:
    """scikit-image's bundled lossless photographs `DEFAULT_IMAGES`, grayscale (cached).

    Returns:
        The [`ImageSet`][dyntools.inputs.images.ImageSet]; colour images are averaged over
            their RGB channels.
    """
    import skimage.data

    return ImageSet(DEFAULT_IMAGES, tuple(_gray(getattr(skimage.data, name)()) for name in DEFAULT_IMAGES),
                    "scikit-image")


def read_images(path: Path | str) -> ImageSet:
    """The user's images: a folder of PNG/TIFF files, a ``.npy`` stack, a ``.mat`` file or van
    Hateren raw files (one, or a folder of them).

    Arguments:
        path: a file or a folder.

    Returns:
        The [`ImageSet`][dyntools.inputs.images.ImageSet], every image a finite 2-D array.

    Raises:
        DyntoolsError: a missing path, a folder without images, a file that is not an image
            (or not readable as one), or an image that is constant or not finite.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in PICTURE_SUFFIXES + VAN_HATEREN_SUFFIXES)
        if not files:
            raise DyntoolsError(f"no images in {str(path)!r}: expected PNG/TIFF files or van Hateren .iml/.imc files")
        named = [(f"{p.name}{'' if len(arrays) == 1 else f'[{i}]'}", image)
                 for p in files for arrays in [_read_file(p)] for i, image in enumerate(arrays)]
        whitened = False
    elif path.is_file():
        arrays = _read_file(path)
        named = [(path.name if len(arrays) == 1 else f"{path.name}[{i}]", image) for i, image in enumerate(arrays)]
        whitened = path.suffix.lower() == ".mat" and _mat_variable(path) == "IMAGES"
    else:
        raise DyntoolsError(f"no such image file or folder: {str(path)!r}")
    for name, image in named:
        if not np.all(np.isfinite(image)) or np.ptp(image) == 0:
            raise DyntoolsError(f"image {name!r} is constant or holds non-finite values")
    return ImageSet(tuple(n for n, _ in named), tuple(im for _, im in named), str(path), whitened)


def _read_file(path: Path) -> list[np.ndarray]:
    """The grayscale images in one file (a list: a stack or a .mat file holds several)."""
    suffix = path.suffix.lower()
    try:
        if suffix in PICTURE_SUFFIXES:
            import warnings

            import skimage.io

            with warnings.catch_warnings():  # imageio's plugins warn while they try a damaged file
                warnings.simplefilter("ignore")
                return [_gray(skimage.io.imread(path))]
        if suffix == ".npy":
            return _stack(np.load(path, allow_pickle=False), path)
        if suffix == ".mat":
            import scipy.io

            return _stack(np.moveaxis(scipy.io.loadmat(path)[_mat_variable(path)], -1, 0), path)
        if suffix in VAN_HATEREN_SUFFIXES:
            return [_van_hateren(path)]
    except DyntoolsError:
        raise
    except Exception as error:  # any reader's failure on a damaged file is the same answer
        raise DyntoolsError(f"cannot read image {str(path)!r} ({type(error).__name__})") from None
    raise DyntoolsError(f"{str(path)!r} is not an image file: expected a folder, PNG/TIFF, .npy, .mat, .iml or .imc")


def _stack(array: np.ndarray, path: Path) -> list[np.ndarray]:
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or not np.issubdtype(array.dtype, np.number):
        raise DyntoolsError(f"{str(path)!r} must hold a numeric [K, H, W] stack or one [H, W] image "
                            f"(got shape {array.shape}, dtype {array.dtype})")
    return [np.asarray(image, dtype=float) for image in array]


def _mat_variable(path: Path) -> str:
    """``IMAGES_RAW`` if the .mat file has it, else ``IMAGES`` (Olshausen's files)."""
    import scipy.io

    try:
        names = {name for name, *_ in scipy.io.whosmat(path)}
    except Exception as error:
        raise DyntoolsError(f"cannot read image {str(path)!r} ({type(error).__name__})") from None
    for name in ("IMAGES_RAW", "IMAGES"):
        if name in names:
            return name
    raise DyntoolsError(f"{str(path)!r} holds neither IMAGES nor IMAGES_RAW (Olshausen's .mat files)")


def _van_hateren(path: Path) -> np.ndarray:
    size = path.stat().st_size
    if size != 2 * VAN_HATEREN_SHAPE[0] * VAN_HATEREN_SHAPE[1]:
        raise DyntoolsError(f"{str(path)!r} is not a van Hateren image: {size} bytes, expected "
                            f"{2 * VAN_HATEREN_SHAPE[0] * VAN_HATEREN_SHAPE[1]} (1536 x 1024 pixels, 16 bits)")
    return np.fromfile(path, dtype=">u2").reshape(VAN_HATEREN_SHAPE).astype(float)


def downsample(image: np.ndarray, factor: int) -> np.ndarray:
    """Average over ``factor`` x ``factor`` blocks (a remainder at the far edges is dropped).

    Arguments:
        image: [rows, cols] image.
        factor: block side, at least 1.

    Returns:
        [rows // factor, cols // factor] image.
    """
    rows, cols = image.shape[0] // factor * factor, image.shape[1] // factor * factor
    return image[:rows, :cols].reshape(rows // factor, factor, cols // factor, factor).mean(axis=(1, 3))


def whiten(image: np.ndarray, f0_fraction: float = F0_FRACTION) -> np.ndarray:
    r"""Olshausen-Field whitening of one image, scaled to unit variance.

    The mean-subtracted image's 2-D Fourier transform is multiplied by
    $R(f) = f \exp(-(f / f_0)^4)$, $f$ the radial frequency in cycles/picture,
    $f_0$ = ``f0_fraction`` x Nyquist (of the shorter side).

    Arguments:
        image: [rows, cols] grayscale image.
        f0_fraction: the cut-off $f_0$ as a fraction of the Nyquist frequency.

    Returns:
        [rows, cols] whitened image with unit standard deviation.
    """
    rows, cols = image.shape
    fy = np.fft.fftfreq(rows)[:, None] * rows
    fx = np.fft.fftfreq(cols)[None, :] * cols
    f = np.sqrt(fx**2 + fy**2)
    f0 = f0_fraction * min(rows, cols) / 2
    white = np.fft.ifft2(np.fft.fft2(image - image.mean()) * f * np.exp(-((f / f0) ** 4))).real
    return white / white.std()


def prepared(images: ImageSet) -> list[np.ndarray]:
    """Each image downsampled by `DOWNSAMPLE` and whitened (unless it comes whitened)."""
    if images.whitened:
        return [(im - im.mean()) / im.std() for im in images.images]
    return [whiten(downsample(im, DOWNSAMPLE)) for im in images.images]


def check_patch_size(size: int) -> None:
    """Raise unless ``size`` is within `PATCH_SIZES`."""
    if not PATCH_SIZES[0] <= size <= PATCH_SIZES[1]:
        raise DyntoolsError(f"patch_size must be between {PATCH_SIZES[0]} and {PATCH_SIZES[1]} pixels (got {size})",
                            arguments=("patch_size",))


def check_images(images: ImageSet, size: int) -> None:
    """Raise unless the patch size is in range and every image, once prepared, holds a patch of
    that size `MARGIN` pixels away from its border.

    Raises:
        DyntoolsError: naming the patch size or the first image that is too small.
    """
    check_patch_size(size)
    factor = 1 if images.whitened else DOWNSAMPLE
    for name, image in zip(images.names, images.images):
        rows, cols = image.shape[0] // factor, image.shape[1] // factor
        if min(rows, cols) < size + 2 * MARGIN:
            after = "" if factor == 1 else " after downsampling"
            raise DyntoolsError(f"image {name!r} is {cols} x {rows} pixels{after}; a {size}-pixel patch needs "
                                f"at least {size + 2 * MARGIN} (patch size, plus {MARGIN} pixels from each border)")


def natural_patches(size: int, count: int, seed: int = 0, images: ImageSet | None = None) -> np.ndarray:
    """``count`` whitened natural-image patches, each centred to zero mean.

    Each patch comes from an image drawn uniformly from ``images`` (each prepared by
    `prepared`), at a uniformly random position at least `MARGIN` pixels from its border.

    Arguments:
        size: side of a square patch in pixels, 4 to 32.
        count: number of patches, at least 1.
        seed: seed of the NumPy generator choosing images and positions.
        images: the images; None for `default_images`.

    Returns:
        [count, size, size] float32 patches.

    Raises:
        DyntoolsError: if ``size`` or ``count`` is out of range, or an image is too small for a
            patch (named).
    """
    if count < 1:
        raise DyntoolsError(f"need at least one patch (got {count})")
    images = default_images() if images is None else images
    check_images(images, size)
    white = prepared(images)
    rng = np.random.default_rng(seed)
    which = rng.integers(len(white), size=count)
    patches = np.empty((count, size, size), dtype=np.float32)
    for i, k in enumerate(which):
        im = white[k]
        r = rng.integers(MARGIN, im.shape[0] - size - MARGIN + 1)
        c = rng.integers(MARGIN, im.shape[1] - size - MARGIN + 1)
        patches[i] = im[r : r + size, c : c + size]
    return patches - patches.mean(axis=(1, 2), keepdims=True)


def describe_patches(size: int, count: int, images: ImageSet | None = None) -> dict:
    """What `natural_patches` cuts, for a run record.

    Returns:
        ``"inputs"``, ``"patch_size"``, ``"patches"`` (count), ``"images"`` (names),
            ``"source"``, ``"downsample"`` (1 when the images come whitened), ``"whitening"``
            and ``"margin"``.
    """
    images = default_images() if images is None else images
    return {"inputs": "natural-image patches", "patch_size": size, "patches": count,
            "images": list(images.names), "source": images.source,
            "downsample": 1 if images.whitened else DOWNSAMPLE,
            "whitening": "as supplied" if images.whitened else f"Olshausen-Field, f0 = {F0_FRACTION} x Nyquist",
            "margin": MARGIN}
