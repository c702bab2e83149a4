"""Frozen dataclasses as JAX pytrees: their numbers are leaves, their structure is static.

A class registered with [`pytree`][dyntools.pytrees.pytree] passes through `jax.jit` and
`jax.vmap` as an ordinary argument. Its numeric fields (a family parameter, $\\xi$, a
covariance spectrum, quadrature weights) and the derived arrays it names are traced, so one
compiled program serves every parameter value of the same shape, and models of one structure
stack along a new axis for `vmap`. Only the fields named static (grid shapes, names, sizes)
key the compilation cache.

Unflattening bypasses ``__init__``: a traced copy holds the traced leaves and the static
fields and nothing else, so the methods called under `jit` (sampling, transforms, the
amplifier, the vector field) read only those. Validation and SciPy precomputation happen once,
when the object is built from concrete numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax

WHOLE = "whole"  # static="whole": the object itself is the static part (no leaves; hashed by identity)


def pytree(*, static: tuple[str, ...] | str = (), derived: tuple[str, ...] = ()) -> Callable[[type], type]:
    """Class decorator: register a dataclass as a JAX pytree.

    Arguments:
        static: names of fields that are part of the structure (shapes, names, integer sizes),
            or ``"whole"`` for objects with no numeric leaves that pass as one static value
            (compiled once per object).
        derived: names of cached properties (computed from the fields) that methods called
            under `jit` read; they travel as leaves, so traced copies need not recompute them.

    Returns:
        The decorator; it returns the class unchanged, registered.
    """

    def register(cls: type) -> type:
        if static == WHOLE:
            jax.tree_util.register_pytree_node(cls, lambda obj: ((), obj), lambda obj, _: obj)
            return cls
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = set(static) - set(names)
        if unknown:
            raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
        leaves = tuple(n for n in names if n not in static) + tuple(derived)

        def flatten(obj):
            return tuple(getattr(obj, n) for n in leaves), tuple(getattr(obj, n) for n in static)

        def unflatten(aux, children):
            obj = object.__new__(cls)
            obj.__dict__.update(zip(static, aux))
            obj.__dict__.update(zip(leaves, children))
            return obj

        jax.tree_util.register_pytree_node(cls, flatten, unflatten)
        return cls

    return register


def stack(objects: list) -> object:
    """Stack pytrees of one structure along a new leading axis (for `jax.vmap`).

    Arguments:
        objects: pytrees with identical structure and static fields.

    Returns:
        One pytree of that structure whose leaves have a leading axis [len(objects)].

    Raises:
        ValueError: if the structures differ.
    """
    import jax.numpy as jnp

    return jax.tree.map(lambda *leaves: jnp.stack([jnp.asarray(v) for v in leaves]), *objects)
