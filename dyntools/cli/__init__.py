"""The ``dyntools`` command line: parse, call the library, print, save. No science here.

One module per command (or pair of related commands); options shared by several commands live
in :mod:`dyntools.cli.common`. Heavy modules (JAX, SymPy, matplotlib) are imported inside
commands so that ``--help`` answers instantly. Every user error is one line on stderr with exit
code 2 (:func:`dyntools.cli.app.main`).
"""

from .app import app, main

# importing a command module registers its commands, in this order in --help
from . import inputs, derive, simulate, sweep, inspect_runs, baseline, reproduce  # noqa: E402, F401, I001

__all__ = ["app", "main"]
