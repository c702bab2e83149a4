"""Reproductions of the papers' figures, one function each, and a registry of them.

``REPRODUCTIONS[name]`` is a :class:`Reproduction` (config class, run function, figure
function)::

    from dyntools.experiments import REPRODUCTIONS, write_run
    config_class, run, figure = REPRODUCTIONS["lufkin-fig3"]
    result = run(config_class(quick=True))      # a PaperResult: config, table, arrays
    write_run(result, "runs/fig3")               # run.json, arrays.npz, lufkin-fig3.png

``load_result(directory)`` reads a written run back into a PaperResult, which the figure
function redraws without rerunning anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, NamedTuple

from ..runs import load_run, save_arrays, staged_run, write_record
from .paper_figures import (
    ingrosso_goldt_2d_figure, lufkin_fig1_right_figure, lufkin_fig3_figure, lufkin_fig4_figure, lufkin_fig5_figure,
    lufkin_fig6_figure,
)
from .olshausen_field import OlshausenFieldConfig, olshausen_field, olshausen_field_figure
from .two_d import TwoDConfig, two_d_discrepancy, two_d_discrepancy_figure
from .papers import (
    Fig1RightConfig, Fig3Config, Fig4Config, Fig5Config, Fig6Config, IngrossoGoldtConfig, PaperConfig, PaperResult,
    ingrosso_goldt_2d, lufkin_fig1_right, lufkin_fig3, lufkin_fig4, lufkin_fig5, lufkin_fig6,
)

ARRAYS = "arrays"  # the run directory's array file (arrays.npz)


class Reproduction(NamedTuple):
    """One entry of ``REPRODUCTIONS``: how to configure, run and draw a reproduction.

    Attributes:
        config: the config class (a `PaperConfig` subclass).
        run: the function that runs a config and returns a `PaperResult`.
        figure: the function that draws a `PaperResult` as a matplotlib Figure.
    """

    config: type
    run: Callable[[PaperConfig], PaperResult]
    figure: Callable[[PaperResult], object]


REPRODUCTIONS = {
    "lufkin-fig3": Reproduction(Fig3Config, lufkin_fig3, lufkin_fig3_figure),
    "lufkin-fig4": Reproduction(Fig4Config, lufkin_fig4, lufkin_fig4_figure),
    "lufkin-fig5": Reproduction(Fig5Config, lufkin_fig5, lufkin_fig5_figure),
    "lufkin-fig6": Reproduction(Fig6Config, lufkin_fig6, lufkin_fig6_figure),
    "lufkin-fig1-right": Reproduction(Fig1RightConfig, lufkin_fig1_right, lufkin_fig1_right_figure),
    "ingrosso-goldt-2d": Reproduction(IngrossoGoldtConfig, ingrosso_goldt_2d, ingrosso_goldt_2d_figure),
    "two-d-discrepancy": Reproduction(TwoDConfig, two_d_discrepancy, two_d_discrepancy_figure),
    "olshausen-field": Reproduction(OlshausenFieldConfig, olshausen_field, olshausen_field_figure),
}


def write_run(result: PaperResult, path: Path | str, force: bool = False) -> Path:
    """Write ``result`` as a run directory.

    The directory holds ``run.json`` (command ``reproduce NAME``, the settings as ``config``,
    the table as ``summary``; non-finite numbers become null and are listed under
    ``non_finite``), ``arrays.npz`` and the figure ``NAME.png``. Staged and renamed into place;
    a finished run is replaced only with ``force``.

    Arguments:
        result: the result of a reproduction (its ``name`` is a key of ``REPRODUCTIONS``).
        path: the run directory.
        force: replace a finished run at ``path``.

    Returns:
        The run directory's path.
    """
    from ..plots import save

    with staged_run(path, force) as stage:
        save_arrays(stage, ARRAYS, **result.arrays)
        write_record(stage, f"reproduce {result.name}", result.config, result.table, result.config["seed"])
        # drawn from the saved run, as `dyntools plot` redraws it
        save(REPRODUCTIONS[result.name].figure(load_result(stage)), stage / f"{result.name}.png")
    return Path(path)


def load_result(path: Path | str) -> PaperResult:
    """The PaperResult of a run directory written by `write_run`.

    Arguments:
        path: the run directory.

    Returns:
        The result (name, config, table and arrays as written), ready to redraw.

    Raises:
        DyntoolsError: not a run, a corrupt run (see [`dyntools.records`][dyntools.records]), or
            a run of another command than ``reproduce``.
    """
    from ..errors import DyntoolsError

    record, arrays = load_run(path)
    if not record["command"].startswith("reproduce "):
        raise DyntoolsError(f"{path} holds a '{record['command']}' run, not a reproduce run")
    return PaperResult(record["command"].split()[-1], record["config"], record["summary"], arrays[ARRAYS])


__all__ = [
    "REPRODUCTIONS", "Fig1RightConfig", "Fig3Config", "Fig4Config", "Fig5Config", "Fig6Config",
    "IngrossoGoldtConfig", "OlshausenFieldConfig", "PaperConfig", "PaperResult", "Reproduction", "TwoDConfig", "two_d_discrepancy", "ingrosso_goldt_2d", "load_result",
    "lufkin_fig1_right", "lufkin_fig3", "olshausen_field", "lufkin_fig4", "lufkin_fig5", "lufkin_fig6", "write_run",
]
