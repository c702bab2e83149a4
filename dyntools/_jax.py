"""Import JAX once, with float64 available: theory needs it (1e-8 quadrature accuracy);
simulations choose their own dtype explicitly."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402

__all__ = ["jax", "jnp"]
