"""Import JAX once. dyntools never changes JAX's global settings.

Its theory needs 64-bit floats (quadratures accurate to 1e-8, the effective ODE in float64), so
callers enable them before using it: ``jax.config.update("jax_enable_x64", True)``; the
``dyntools`` command does this itself. `require_x64` says so, in one line, where float64 is
needed and missing; simulations choose their own dtype explicitly.
"""

import jax
import jax.numpy as jnp

from .errors import DyntoolsError

X64_NEEDED = ("dyntools needs 64-bit floats in JAX (its quadratures and ODEs are float64): call "
              "jax.config.update('jax_enable_x64', True) before using it (the dyntools command does)")

__all__ = ["X64_NEEDED", "jax", "jnp", "require_x64", "stack"]


def require_x64() -> None:
    """Check that JAX has 64-bit floats enabled.

    Raises:
        DyntoolsError: if ``jax_enable_x64`` is off (the message says how to turn it on).
    """
    if not jax.config.jax_enable_x64:
        raise DyntoolsError(X64_NEEDED)


def stack(trees: list) -> object:
    """Stack pytrees of one structure along a new leading axis (for `jax.vmap`).

    Arguments:
        trees: pytrees (e.g. equal-structure models) with identical structure.

    Returns:
        One pytree of that structure whose leaves have a leading axis [len(trees)].
    """
    return jax.tree.map(lambda *leaves: jnp.stack([jnp.asarray(v) for v in leaves]), *trees)
