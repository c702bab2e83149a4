"""Lazy re-exports: a package lists where its public names live and imports each on first use,
so that importing it (or a light module inside it, such as a config) never loads JAX or SymPy."""

from importlib import import_module


def lazy_exports(package: str, exports: dict[str, str]):
    """``(__getattr__, __dir__)`` for a package whose names are imported on first use.

    Arguments:
        package: the package's ``__name__``.
        exports: ``{name: relative module}``, e.g. ``{"TaskSpec": ".spec"}``.
    """
    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module '{package}' has no attribute '{name}'")
        return getattr(import_module(exports[name], package), name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
