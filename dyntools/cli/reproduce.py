"""`dyntools reproduce`: the papers' figures and studies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import DyntoolsError
from ..registries import REPRODUCTION_NAMES
from .app import command
from .common import Force, Json, Out, Seed, check_out, emit, flag, num, run_directory


@command()
def reproduce(
    name: Annotated[str, typer.Argument(help="The figure or study to reproduce: " + ", ".join(REPRODUCTION_NAMES) + ".")],
    quick: Annotated[bool, flag("--quick", help="A small scale that checks the claim in seconds to a "
                                                        "minute (the test suite runs it).")] = False,
    seed: Seed = 0,
    out: Out = None,
    force: Force = False,
    as_json: Json = False,
):
    """Reproduce a figure of the papers: its settings, a table of the measured numbers, the figure."""

    check_out(out, force)
    if seed < 0:
        raise DyntoolsError(f"--seed must be non-negative (got {seed})")
    from ..experiments import REPRODUCTIONS, write_run

    if name not in REPRODUCTIONS:
        raise DyntoolsError(f"unknown figure '{name}'; choose one of: {', '.join(REPRODUCTIONS)}")
    config_class, run, _ = REPRODUCTIONS[name]
    with run_directory(out, force, name) as out:
        result = run(config_class(quick=quick, seed=seed))
        write_run(result, out, force)
    emit(result.table, as_json, [*_table_lines(result.table), f"wrote {out}/run.json, arrays.npz, {name}.png"])


def summary_lines(record: dict, directory: Path) -> list[str]:
    """What a reproduce run reports (the command prints it; so does ``dyntools show``)."""
    return _table_lines(record["summary"])


def _table_lines(table: dict) -> list[str]:
    """Columns (equal-length lists) as an aligned table, then the scalars as 'key: value'."""
    columns = {k: v for k, v in table.items() if isinstance(v, list)}
    cell = lambda v: num(v, ".4g") if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)  # noqa: E731
    lines = []
    if columns:
        widths = {k: max(len(k), *(len(cell(v)) for v in col)) for k, col in columns.items()}
        lines.append("  ".join(k.rjust(widths[k]) for k in columns))
        for row in zip(*columns.values()):
            lines.append("  ".join(cell(v).rjust(widths[k]) for k, v in zip(columns, row)))
    lines += [f"{k}: {cell(v)}" for k, v in table.items() if k not in columns]
    return lines


