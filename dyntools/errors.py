"""The exception type that reaches users as a single line (CLI exit code 2), and the warning
that every command reports in its own output."""


class DyntoolsError(ValueError):
    """Bad input or an impossible request: the message says what is wrong and what is valid."""


class KernelClippingWarning(UserWarning):
    """A truncated kernel had negative eigenvalues, which were set to zero."""
