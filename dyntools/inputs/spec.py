"""What defines a two-class task, as one frozen, validated object every config shares.

Pure data, light to import (no JAX): the command line reads its fields and defaults to declare
its task options once for every command; [`build_task`][dyntools.inputs.task.build_task] makes
the task it names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import cache

from ..errors import DyntoolsError
from ..registries import plugin_families
from ._family_index import PARAMETERS

# the one set of task defaults (TaskSpec, build_task and every command share them)
N_DIMS = 40
XI = (1.0, 2.0)
PROPORTION = 0.5
XI_RANGE = (1e-3, 1e6)
"""The correlation lengths a task accepts, in pixels. The kernel is the identity to float64
from xi ~ 0.04 and its exp(-d^2 / xi^2) is 0 / 0 near 1e-154; above 1e6 (the longest ring has
2^20 pixels) it is flat, and the Ising coupling artanh(exp(-1 / xi)) is infinite from ~1e16."""

# elliptical family -> the marginal family of its radial law (see `build_task`)
ELLIPTICAL_FAMILIES = {"elliptical-t": "t", "shell": "shell"}


@cache
def plugin_family_parameters() -> dict[str, str | None]:
    """The copula families other packages add through entry points, with their parameters'
    names (see `dyntools.registries.plugin_families`); read on first use, not at import: finding
    a plug-in's source imports its package, which may import dyntools."""
    return {name: parameter for name, parameter in plugin_families().items() if name not in PARAMETERS}


def all_families() -> tuple[str, ...]:
    """Every family a task accepts: copula families (the registry ``marginals.FAMILIES``, then
    the plug-ins'), elliptical ones, the Ising chain, and ``auto`` (also ``ALL_FAMILIES``)."""
    return ("auto", *PARAMETERS, *plugin_family_parameters(), *ELLIPTICAL_FAMILIES, "ising")


def __getattr__(name: str):
    """``ALL_FAMILIES`` (`all_families`) and ``PLUGIN_FAMILIES`` (`plugin_family_parameters`),
    computed when first read."""
    if name == "ALL_FAMILIES":
        return all_families()
    if name == "PLUGIN_FAMILIES":
        return plugin_family_parameters()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def family_parameters() -> dict[str, str]:
    """``{family: the name of its raw parameter}`` for every family that has one (``alg``: ``k``)."""
    named = {family: name for family, name in {**PARAMETERS, **plugin_family_parameters()}.items() if name is not None}
    return {**named, **{family: PARAMETERS[radial] for family, radial in ELLIPTICAL_FAMILIES.items()
                        if family != "shell"}}


MAX_PIXELS = 2**20


def grid_shape(n_dims: int, two_d: bool) -> tuple[int, ...]:
    """The grid shape: ``(N,)`` on a ring, ``(L, L)`` on a torus.

    Arguments:
        n_dims: sites per side (N on the ring, L on the torus); at least 4.
        two_d: whether the grid is an L x L torus rather than a ring.

    Returns:
        The shape tuple.

    Raises:
        DyntoolsError: if ``n_dims < 4`` or the grid has more than ``MAX_PIXELS`` ($2^{20}$) pixels.
    """
    if n_dims < 4:
        raise DyntoolsError(f"n_dims must be at least 4 (got {n_dims})", arguments=("n_dims",))
    shape = (n_dims, n_dims) if two_d else (n_dims,)
    if n_dims ** len(shape) > MAX_PIXELS:
        raise DyntoolsError(f"{n_dims ** len(shape)} pixels is too many (at most {MAX_PIXELS}); lower n_dims",
                            arguments=("n_dims",))
    return shape


def check_excess_kurtosis(excess: float) -> None:
    r"""Check that an excess kurtosis is possible at all ($m_4 - 3 \ge -2$, finite).

    Arguments:
        excess: the requested excess kurtosis.

    Raises:
        DyntoolsError: if ``excess`` is below -2 or not finite.
    """
    if not math.isfinite(excess) or excess < -2:
        raise DyntoolsError(
            f"excess kurtosis {excess:g} is impossible: every distribution has excess kurtosis >= -2"
        )


@dataclass(frozen=True)
class TaskSpec:
    r"""What defines a two-class task: the settings every command and config shares.

    Frozen and hashable; each field is checked on its own when the spec is made, and
    [`build_task`][dyntools.inputs.task.build_task] checks the combination (a family that
    reaches the kurtosis, a parameter in range). A sweep addresses any field by name.

    Attributes:
        family: the pixel marginal family, one of
            `all_families`; ``auto`` picks one that
            reaches ``kurtosis`` (see [`resolve_family`][dyntools.inputs.task.resolve_family]).
        kurtosis: the pixels' excess kurtosis $m_4 - 3 \ge -2$ (0 = Gaussian), or None; give
            this or ``param``.
        param: the family's raw parameter (alg: k, gennorm: beta, t/elliptical-t: nu, nlgp:
            gain), or None.
        n_dims: N pixels on the ring, or the side L of the L x L torus with ``two_d``.
        two_d: L x L inputs on a torus instead of a ring.
        xi0: $\xi_0$, the correlation length of class 0, in pixels.
        xi1: $\xi_1$, the correlation length of class 1, in pixels.
        proportion: $P(y = 1)$, in (0, 1).
        gaussian_clone: Gaussian pixels with exactly the chosen model's pixel covariances.

    Raises:
        DyntoolsError: for an unknown family, a kurtosis below -2, a non-finite number, a
            $\xi$ outside `XI_RANGE`, a proportion outside (0, 1) or an invalid grid size.
    """

    family: str = "auto"
    kurtosis: float | None = None
    param: float | None = None
    n_dims: int = N_DIMS
    two_d: bool = False
    xi0: float = XI[0]
    xi1: float = XI[1]
    proportion: float = PROPORTION
    gaussian_clone: bool = False

    def __post_init__(self):
        if self.family not in all_families():
            raise DyntoolsError(f"unknown family {self.family!r}; choose one of: {', '.join(all_families())}")
        for name in ("kurtosis", "param"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise DyntoolsError(f"{name} must be a finite number (got {value})", arguments=(name,))
        if self.kurtosis is not None:
            check_excess_kurtosis(self.kurtosis)
        for name in ("xi0", "xi1"):
            value = getattr(self, name)
            if not XI_RANGE[0] <= value <= XI_RANGE[1]:
                raise DyntoolsError(f"{name} must be a positive correlation length from {XI_RANGE[0]:g} to {XI_RANGE[1]:g} "
                                    f"pixels (got {value:g})", arguments=(name,))
        if not 0 < self.proportion < 1:
            raise DyntoolsError(f"proportion must be in (0, 1) (got {self.proportion:g})", arguments=("proportion",))
        grid_shape(self.n_dims, self.two_d)

    @property
    def xi(self) -> tuple[float, float]:
        r"""$(\xi_0, \xi_1)$."""
        return (self.xi0, self.xi1)

    @property
    def n_pixels(self) -> int:
        """N, the number of pixels: ``n_dims``, or ``n_dims**2`` with ``two_d``."""
        return self.n_dims ** (2 if self.two_d else 1)

    def as_dict(self) -> dict:
        """The fields as a plain dict, as saved in run records."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_options(cls, options: dict) -> TaskSpec:
        """The spec of a dyntools 0.x record's task options (the keyword arguments `build_task`
        took then: ``excess_kurtosis``, ``parameter``, ``xi`` as a pair, ...).

        Raises:
            DyntoolsError: for a key that was never such an option.
        """
        unknown = sorted(set(options) - set(LEGACY_OPTIONS))
        if unknown:
            raise DyntoolsError(f"unknown task option '{unknown[0]}'; the options were: {', '.join(LEGACY_OPTIONS)}")
        named = {LEGACY_OPTIONS[key]: value for key, value in options.items() if key != "xi"}
        if "xi" in options:
            named["xi0"], named["xi1"] = options["xi"]
        return cls(**named)


LEGACY_OPTIONS = {"family": "family", "excess_kurtosis": "kurtosis", "parameter": "param", "n_dims": "n_dims",
                  "xi": ("xi0", "xi1"), "two_d": "two_d", "proportion": "proportion", "gaussian_clone": "gaussian_clone"}
"""dyntools 0.x task options (as its records hold them) -> the `TaskSpec` fields they set."""
