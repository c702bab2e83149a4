"""The one memory budget: what a run may hold in its largest arrays (input batches, data sets,
saved weights, drawn samples), checked before any work."""

from .errors import DyntoolsError

MEMORY_BUDGET = 4 * 2**30  # bytes


def check_memory(size: int, what: str, lower: tuple[str, ...]) -> None:
    """Refuse, in one line, something that would need more than `MEMORY_BUDGET` bytes.

    Arguments:
        size: the bytes it would need.
        what: what needs them, for the message (``"the input batches"``).
        lower: the arguments that shrink it, named in the message.

    Raises:
        DyntoolsError: if ``size`` exceeds the budget.
    """
    if size > MEMORY_BUDGET:
        raise DyntoolsError(f"{what} would need {size / 2**30:.1f} GiB (budget {MEMORY_BUDGET / 2**30:g} GiB); "
                            f"lower {', '.join(lower)}", arguments=lower)
