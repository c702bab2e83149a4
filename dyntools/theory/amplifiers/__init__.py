"""The amplifier forms chosen by name: one
[`MarginalAmplifier`][dyntools.theory.amplifiers._base.MarginalAmplifier] class a file
(``quadrature.py`` is the form ``"quadrature"``), listed by
[`AMPLIFIERS`][dyntools.registries.AMPLIFIERS] without importing them."""
