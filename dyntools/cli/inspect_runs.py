"""`dyntools compare`, `dyntools show` and `dyntools plot`: read finished runs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import DyntoolsError
from ..files import FIGURE_SUFFIXES
from .app import command
from .common import Json, flag, num


@command()
def compare(
    run_dirs: Annotated[list[Path], typer.Argument(help="Finished simulate or sweep runs.")],
    out: Annotated[Path, typer.Option("--out", help="Figure to write.")] = Path("compare.png"),
    force: Annotated[bool, flag("--force", help="Replace the figure --out if it exists.")] = False,
):
    """Overlay several simulate runs (IPR over time) or sweep runs (IPR vs kurtosis)."""
    from ..plots import compare_figure, save
    from ..runs import check_creatable, load_run

    if out.suffix.lower() not in FIGURE_SUFFIXES:
        raise DyntoolsError(f"--out must name a figure file ending in {', '.join(FIGURE_SUFFIXES)} (got {out})")
    if out.is_dir():
        raise DyntoolsError(f"--out {out} is a directory; name a figure file")
    if os.path.lexists(out) and not force:  # a link, even a dangling one, is the user's
        raise DyntoolsError(f"{out} exists; use --force to overwrite it")
    check_creatable(out)
    loaded = [(path, *load_run(path)) for path in run_dirs]
    kinds = {record["command"] for _, record, _ in loaded}
    if len(kinds) != 1 or kinds - {"simulate", "sweep"}:
        raise DyntoolsError(f"compare needs runs of one kind, simulate or sweep (got {sorted(kinds)})")
    for path, record, _ in loaded:
        if record["command"] == "sweep" and len(record["summary"]["axes"]) != 1:
            raise DyntoolsError(f"compare overlays one-axis sweeps; {path} has axes {', '.join(record['summary']['axes'])}")
    figure = compare_figure(loaded)
    out.parent.mkdir(parents=True, exist_ok=True)
    save(figure, out)  # written beside it and renamed: never through a link, never half a figure
    for path, record, _ in loaded:
        s = record["summary"]
        if record["command"] == "simulate":
            theory = s.get("ipr_theory_final")
            print(f"{path}: excess kurtosis {num(s['excess_kurtosis'], '.3g')}, IPR network "
                  f"{s['ipr_sim_final_mean']:.4f}, theory {num(theory, '.4f')}")
        else:
            axis, values = next(iter(s["axes"].items()))
            print(f"{path}: sweep over {axis} ({len(values)} points)")
    print(f"wrote {out}")



@command()
def show(run_dir: Annotated[Path, typer.Argument(help="A run directory.")], as_json: Json = False):
    """Print what the run printed when it finished, and its arrays' shapes (read from their
    headers); --json prints the whole record."""
    from ..records import check_run
    from ..runs import strict_json

    record, headers = check_run(run_dir)
    if as_json:
        print(strict_json(record))
        return
    print(f"{record['command']} run in {run_dir} (dyntools {record['version']}, {record['created']}, seed {record['seed']})")
    print("\n".join(_summary_lines(record, run_dir)))
    for name, arrays in headers.items():
        print(f"{name}: {', '.join(f'{k} {list(v.shape)}' for k, v in arrays.items())}")


def _summary_lines(record: dict, directory: Path) -> list[str]:
    """What the command that made the run printed about it."""
    from ..runs import restore_non_finite
    from . import baseline, inputs, reproduce, simulate, sweep

    record = restore_non_finite(json.loads(json.dumps(record)))  # a copy, with inf and nan back
    command = record["command"].split()[0]
    lines = {"simulate": simulate.summary_lines, "sweep": sweep.summary_lines, "inputs": inputs.summary_lines,
             "baseline": baseline.summary_lines, "localization-map": baseline.localization_map_lines,
             "reproduce": reproduce.summary_lines}[command]
    return lines(record, directory)


@command()
def plot(
    run_dir: Annotated[Path, typer.Argument(help="A finished run directory.")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for the figures (default: the run directory).")] = None,
    force: Annotated[bool, flag("--force", help="Replace figures of the same name in --out (those of the run "
                                                "directory itself are always redrawn).")] = False,
):
    """Redraw a run's figures from its saved files alone (the same figures the run wrote)."""
    from ..figures import run_figures
    from ..plots import save

    folder = out or run_dir
    figures = run_figures(run_dir)  # every error (not a run, corrupt, no figures) before writing
    taken = [name for name in figures if os.path.lexists(folder / name)]
    if taken and not force and not folder.resolve() == Path(run_dir).resolve():
        raise DyntoolsError(f"{folder} already holds {', '.join(taken)}; pass --force to replace them")
    folder.mkdir(parents=True, exist_ok=True)
    for name, figure in figures.items():
        save(figure, folder / name)  # written beside it and renamed: never through a link
    print(f"wrote {', '.join(figures) or 'no figure (a sweep over 3+ axes has none)'} in {folder}")
