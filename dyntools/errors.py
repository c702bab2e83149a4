"""The exception type that reaches users as a single line (CLI exit code 2), and the warning
that every command reports in its own output."""


class DyntoolsError(ValueError):
    """Bad input or an impossible request: the message says what is wrong and what is valid.

    Arguments:
        message: the one-line message; it names Python arguments (``steps``, ``xi0``), never
            command-line flags.
        arguments: the Python argument names the message mentions, so that the command line
            can name its flags instead (``steps`` -> ``--steps``).
    """

    def __init__(self, message: str, *, arguments: tuple[str, ...] = ()):
        super().__init__(message)
        self.arguments = tuple(arguments)

    def __reduce__(self):  # keep the arguments across processes (Dask workers)
        return _rebuild, (type(self), str(self), self.arguments)


def _rebuild(cls, message, arguments):
    return cls(message, arguments=arguments)


class KernelClippingWarning(UserWarning):
    """A truncated kernel had negative eigenvalues, which were set to zero."""
