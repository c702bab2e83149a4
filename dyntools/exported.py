"""Compiled programs kept on disk as serialized ``jax.export`` modules, so that a repeat run
skips tracing.

JAX's persistent compilation cache saves compiling, but JAX still traces a function to find the
cache key: for the effective ODE's Diffrax solve that is about a second of every run. (Hot
loops stay plain ``jax.jit`` programs: measured, the exported SGD step ran 27% slower.) A program
called through `cached_call` is traced once per structure and stored under
``cache_root()/exported``, keyed by its name and static settings, the structure, shapes and
dtypes of its arguments, JAX's settings and `code_identity` (dyntools' sources and the versions
of dyntools, JAX, SymPy and the traced libraries); a later process loads it and only compiles it
(from the compilation cache). Programs that cannot be exported (host callbacks: Equinox's
default error checks) are called as plain ``jax.jit`` programs, and remembered as such. A
damaged entry (see `dyntools.cache.load`) is exported again and reported in one line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from ._jax import jax, jnp
from .cache import entry_key, entry_path, load, save

UNEXPORTABLE = b"unexportable"
_PROGRAMS: dict[str, Callable] = {}  # this process's loaded programs, by key


def cached_call(name: str, fn: Callable, args: tuple, static: dict | None = None) -> Any:
    """``fn(*args, **static)`` through a program exported once per structure and stored on disk.

    Arguments:
        name: the program's name, part of its key (e.g. ``"effective-ode"``).
        fn: a function JAX can trace; ``args`` are pytrees of arrays and numbers (traced),
            ``static`` hashable settings that shape the program.
        args: the traced arguments.
        static: keyword arguments fixed in the program.

    Returns:
        What ``fn`` returns (the same numbers as a ``jax.jit`` call).
    """
    static = dict(static or {})
    leaves, treedef = jax.tree.flatten(args)
    leaves = [jnp.asarray(leaf) for leaf in leaves]
    specs = [jax.ShapeDtypeStruct(leaf.shape, leaf.dtype) for leaf in leaves]
    key = _key(name, static, treedef, specs)
    if key not in _PROGRAMS:
        _PROGRAMS[key] = _program(key, partial(_flat_call, fn, treedef, static), specs)
    return _PROGRAMS[key](*leaves)


def _flat_call(fn, treedef, static, *leaves):
    """``fn`` called on the pytrees that ``leaves`` flatten (the exported program's signature)."""
    return fn(*jax.tree.unflatten(treedef, leaves), **static)


def _key(name: str, static: dict, treedef, specs: list) -> str:
    """The program's cache key: its name and settings, its arguments' structure, shapes and
    dtypes, and what else changes the traced program (JAX's settings, Equinox's error mode)."""
    return entry_key(name, sorted(static.items()), str(treedef), [(s.shape, str(s.dtype)) for s in specs],
                     jax.config.jax_enable_x64, jax.default_backend(), equinox_error_mode())


def equinox_error_mode() -> str:
    """How Equinox's runtime checks fail in this process: the ``EQX_ON_ERROR`` it read when it was
    imported (``raise`` by default, which adds host callbacks and makes a program unexportable).
    A variable set after that import does not apply, so the variable alone would not do as a key
    (a process that imported Equinox first stored its programs as unexportable under the CLI's key)."""
    config = sys.modules.get("equinox._config")  # not imported yet: it will read the variable
    return getattr(config, "EQX_ON_ERROR", None) or os.environ.get("EQX_ON_ERROR", "raise")


def _program(key: str, flat: Callable, specs: list) -> Callable:
    """The stored, newly exported or (for an unexportable program) plain jitted program of
    ``flat``. Every exportable program runs as exported, stored or not (the cache off), so its
    numbers do not depend on the cache; a damaged entry is exported again."""
    path = entry_path("exported", key, ".bin")
    stored = load(path, key, partial(_loaded, flat))
    if stored is not None:
        return stored
    try:
        exported = jax.export.export(jax.jit(flat))(*specs)
        payload = bytes(exported.serialize())
    except Exception:  # noqa: BLE001 - e.g. host callbacks: this program runs as a plain jit
        save(path, key, UNEXPORTABLE)
        return jax.jit(flat)
    save(path, key, payload)
    return jax.jit(exported.call)


def _loaded(flat: Callable, payload: bytes) -> Callable:
    """The program a stored payload holds: an exported module, or `UNEXPORTABLE` (``flat`` jitted)."""
    if payload == UNEXPORTABLE:
        return jax.jit(flat)
    return jax.jit(jax.export.deserialize(bytearray(payload)).call)
