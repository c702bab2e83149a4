"""The one exception type that reaches users as a single line (CLI exit code 2)."""


class DyntoolsError(ValueError):
    """Bad input or an impossible request: the message says what is wrong and what is valid."""
