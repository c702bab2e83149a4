"""The registries of files: a package whose public modules each define one entry (a network, a
baseline, an amplifier form), named after the file, so that adding an entry is adding a file. The names are read
from the file names without importing anything, not even the package: the command line lists
them for its help and choices from here, light to import."""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from pathlib import Path

from .errors import DyntoolsError


@dataclass(frozen=True)
class FileRegistry:
    """The entries of a package: its modules not starting with ``_``, each defining one subclass
    of a base class; ``two_layer.py`` is the entry ``two-layer``.

    Attributes:
        package: the package, e.g. ``"dyntools.simulations.networks"``.
        base: ``"MODULE:CLASS"``, the base class, relative to the package (``"._base:Network"``).
        what: what an entry is, for messages (``"network"``).
    """

    package: str
    base: str
    what: str

    def names(self) -> tuple[str, ...]:
        """The entry names, sorted (read from the file names, once)."""
        return _entry_names(self.package)

    def get(self, name: str) -> type:
        """The class entry ``name`` defines (its module is imported now).

        Raises:
            DyntoolsError: for an unknown name, listing the known ones.
        """
        if name not in self.names():
            raise DyntoolsError(f"unknown {self.what} '{name}'; choose one of: {', '.join(self.names())}")
        module_name, class_name = self.base.split(":")
        base = getattr(import_module(module_name, self.package), class_name)
        module = import_module(f"{self.package}.{name.replace('-', '_')}")
        return next(cls for cls in vars(module).values()
                    if isinstance(cls, type) and issubclass(cls, base) and cls.__module__ == module.__name__)


@cache
def _entry_names(package: str) -> tuple[str, ...]:
    directory = Path(__file__).parent.joinpath(*package.split(".")[1:])
    return tuple(sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules([str(directory)])
                        if not m.name.startswith("_")))


NETWORKS = FileRegistry("dyntools.simulations.networks", "._base:Network", "network")
"""The networks: one [`Network`][dyntools.simulations.networks._base.Network] class a file in
``dyntools/simulations/networks/`` (``committee``, ``two-layer``)."""

AMPLIFIERS = FileRegistry("dyntools.theory.amplifiers", "._base:MarginalAmplifier", "amplifier")
"""The amplifier forms chosen by name: one
[`MarginalAmplifier`][dyntools.theory.amplifiers._base.MarginalAmplifier] class a file in
``dyntools/theory/amplifiers/`` (``closed``, ``quadrature``, ``series``)."""

BASELINES = FileRegistry("dyntools.baselines.methods", "._base:Baseline", "baseline")
"""The baselines: one [`Baseline`][dyntools.baselines.methods._base.Baseline] class a file in
``dyntools/baselines/methods/`` (``ica``, ``lca``, ``warp-lca``, ``wlsc``)."""

REPRODUCTION_NAMES = ("lufkin-fig3", "lufkin-fig4", "lufkin-fig5", "lufkin-fig6", "lufkin-fig1-right",
                      "ingrosso-goldt-2d", "two-d-discrepancy")
"""The names of `dyntools.experiments.REPRODUCTIONS` (the papers' figures and studies), for the
command line's help without importing them (a test keeps the two equal)."""
