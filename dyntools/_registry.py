"""Registries of files: a package whose public modules each define one entry (a network, a
baseline), named after the file, so that adding an entry is adding a file. The names are read
from the file names without importing anything, not even the package (the command line lists
them for its help)."""

from __future__ import annotations

import pkgutil
from functools import cache
from importlib import import_module
from pathlib import Path

from .errors import DyntoolsError


@cache
def entry_names(package: str) -> tuple[str, ...]:
    """The entries of ``package`` (e.g. ``"dyntools.baselines.methods"``): its modules not
    starting with ``_``, ``two_layer`` named ``two-layer``."""
    directory = Path(__file__).parent.joinpath(*package.split(".")[1:])
    return tuple(sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules([str(directory)])
                        if not m.name.startswith("_")))


@cache
def entry_class(package: str, name: str, base: type, what: str) -> type:
    """The subclass of ``base`` defined in the module of entry ``name`` of ``package``.

    Raises:
        DyntoolsError: for an unknown name, listing the known ones (``what``: "network", ...).
    """
    names = entry_names(package)
    if name not in names:
        raise DyntoolsError(f"unknown {what} '{name}'; choose one of: {', '.join(names)}")
    module = import_module(f"{package}.{name.replace('-', '_')}")
    return next(cls for cls in vars(module).values()
                if isinstance(cls, type) and issubclass(cls, base) and cls.__module__ == module.__name__)
