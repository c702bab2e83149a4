r"""Whitened natural-image patches from images shipped inside installed packages (offline):
matplotlib's ``grace_hopper.jpg`` always; scikit-image's camera, astronaut, coffee, chelsea,
grass and gravel when scikit-image is installed.

Whitening (Olshausen & Field 1996): in the 2-D Fourier domain of each image, multiply by
R(f) = f exp(-(f / f0)^4) (f the radial frequency in cycles/picture, f0 = 0.4 x Nyquist),
which flattens the 1/f amplitude spectrum and removes the highest frequencies.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..errors import DyntoolsError

SKIMAGE_IMAGES = ("camera", "astronaut", "coffee", "chelsea", "grass", "gravel")


def _gray(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=float)
    return image[..., :3].mean(axis=-1) if image.ndim == 3 else image


@cache
def available_images() -> tuple[np.ndarray, ...]:
    """The grayscale images shipped with installed packages (cached).

    matplotlib's ``grace_hopper.jpg`` always, then scikit-image's ``SKIMAGE_IMAGES`` when
    scikit-image is installed; colour images are averaged over their RGB channels.

    Returns:
        Float arrays [rows, cols], one per image, in their original intensity units.
    """
    import matplotlib.cbook
    import matplotlib.image

    images = [_gray(matplotlib.image.imread(matplotlib.cbook.get_sample_data("grace_hopper.jpg")))]
    try:
        import skimage.data
    except ImportError:
        pass
    else:
        images += [_gray(getattr(skimage.data, name)()) for name in SKIMAGE_IMAGES]
    return tuple(images)


def whiten(image: np.ndarray, f0_fraction: float = 0.4) -> np.ndarray:
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


def natural_patches(size: int, count: int, seed: int = 0) -> np.ndarray:
    """``count`` whitened natural-image patches, each centred to zero mean.

    Each patch comes from an image drawn uniformly from `available_images` (each whitened by
    `whiten`), at a uniformly random position.

    Arguments:
        size: side of a square patch in pixels, 4 to 32.
        count: number of patches, at least 1.
        seed: seed of the NumPy generator choosing images and positions.

    Returns:
        [count, size, size] float32 patches.

    Raises:
        DyntoolsError: if ``size`` or ``count`` is out of range.
    """
    if not 4 <= size <= 32:
        raise DyntoolsError(f"patch size must be between 4 and 32 pixels (got {size})")
    if count < 1:
        raise DyntoolsError(f"need at least one patch (got {count})")
    rng = np.random.default_rng(seed)
    images = [whiten(im) for im in available_images()]
    which = rng.integers(len(images), size=count)
    patches = np.empty((count, size, size), dtype=np.float32)
    for i, k in enumerate(which):
        im = images[k]
        r, c = rng.integers(im.shape[0] - size), rng.integers(im.shape[1] - size)
        patches[i] = im[r : r + size, c : c + size]
    return patches - patches.mean(axis=(1, 2), keepdims=True)
