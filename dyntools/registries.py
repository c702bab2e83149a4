"""The registries of files: a package whose public modules each define one entry (a network, a
baseline, an amplifier form), named after the file, so that adding an entry is adding a file. The names are read
from the file names without importing anything, not even the package: the command line lists
them for its help and choices from here, light to import.

Another package adds entries through Python entry points, in the registry's group
(``dyntools.networks``, ``dyntools.baselines``, ``dyntools.amplifiers``)::

    [project.entry-points."dyntools.baselines"]
    pca = "my_package.pca:PCA"

(``examples/plugin/`` is such a package). A plug-in cannot replace a built-in entry of the
same name."""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from functools import cache
from importlib import import_module, metadata
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
        group: the entry-point group through which other packages add entries.
    """

    package: str
    base: str
    what: str
    group: str

    def names(self) -> tuple[str, ...]:
        """The entry names, sorted: the package's files, then the plug-ins' (read once)."""
        return _entry_names(self.package) + tuple(n for n in _plugins(self.group) if n not in _entry_names(self.package))

    def get(self, name: str) -> type:
        """The class entry ``name`` defines (its module is imported now).

        Raises:
            DyntoolsError: for an unknown name, listing the known ones; for a file that defines
                no subclass of the base or more than one, or a plug-in that is not a subclass.
        """
        if name not in self.names():
            raise DyntoolsError(f"unknown {self.what} '{name}'; choose one of: {', '.join(self.names())}")
        module_name, class_name = self.base.split(":")
        base = getattr(import_module(module_name, self.package), class_name)
        if name not in _entry_names(self.package):
            return self._plugin(name, base)
        module = import_module(f"{self.package}.{name.replace('-', '_')}")
        found = [cls for cls in vars(module).values()
                 if isinstance(cls, type) and issubclass(cls, base) and cls.__module__ == module.__name__]
        if len(found) != 1:
            raise DyntoolsError(f"{self.what} file {module.__file__} must define exactly one {class_name} subclass "
                                f"(found {len(found)}{': ' if found else ''}{', '.join(c.__name__ for c in found)})")
        return found[0]

    def _plugin(self, name: str, base: type) -> type:
        entry = _plugins(self.group)[name]
        try:
            cls = entry.load()
        except Exception as error:  # a plug-in's own import error, named, not a dyntools crash
            raise DyntoolsError(f"plug-in {self.what} '{name}' ({entry.value}) cannot be loaded: "
                                f"{type(error).__name__}: {error}") from None
        if not (isinstance(cls, type) and issubclass(cls, base)):
            raise DyntoolsError(f"plug-in {self.what} '{name}' ({entry.value}) is not a {base.__name__} subclass")
        return cls


@cache
def _plugins(group: str) -> dict[str, metadata.EntryPoint]:
    """The entry points of ``group`` of the installed packages, by name (the first of a name)."""
    found = {}
    for entry in metadata.entry_points(group=group):
        found.setdefault(entry.name, entry)
    return dict(sorted(found.items()))


@cache
def _entry_names(package: str) -> tuple[str, ...]:
    directory = Path(__file__).parent.joinpath(*package.split(".")[1:])
    return tuple(sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules([str(directory)])
                        if not m.name.startswith("_")))


NETWORKS = FileRegistry("dyntools.simulations.networks", "._base:Network", "network", "dyntools.networks")
"""The networks: one [`Network`][dyntools.simulations.networks._base.Network] class a file in
``dyntools/simulations/networks/`` (``committee``, ``two-layer``)."""

AMPLIFIERS = FileRegistry("dyntools.theory.amplifiers", "._base:MarginalAmplifier", "amplifier", "dyntools.amplifiers")
"""The amplifier forms chosen by name: one
[`MarginalAmplifier`][dyntools.theory.amplifiers._base.MarginalAmplifier] class a file in
``dyntools/theory/amplifiers/`` (``closed``, ``quadrature``, ``series``)."""

BASELINES = FileRegistry("dyntools.baselines.methods", "._base:Baseline", "baseline", "dyntools.baselines")
"""The baselines: one [`Baseline`][dyntools.baselines.methods._base.Baseline] class a file in
``dyntools/baselines/methods/`` (``ica``, ``lca``, ``warp-lca``, ``wlsc``)."""

REPRODUCTION_NAMES = ("lufkin-fig3", "lufkin-fig4", "lufkin-fig5", "lufkin-fig6", "lufkin-fig1-right",
                      "ingrosso-goldt-2d", "two-d-discrepancy", "olshausen-field")
"""The names of `dyntools.experiments.REPRODUCTIONS` (the papers' figures and studies), for the
command line's help without importing them (a test keeps the two equal)."""
