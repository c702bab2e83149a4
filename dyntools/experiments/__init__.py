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

from collections.abc import Iterator, Mapping
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .papers import PaperConfig, PaperResult

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


_ENTRIES = {  # name: where its config class, run function and figure function live (".module:name")
    "lufkin-fig3": (".papers:Fig3Config", ".papers:lufkin_fig3", ".paper_figures:lufkin_fig3_figure"),
    "lufkin-fig4": (".papers:Fig4Config", ".papers:lufkin_fig4", ".paper_figures:lufkin_fig4_figure"),
    "lufkin-fig5": (".papers:Fig5Config", ".papers:lufkin_fig5", ".paper_figures:lufkin_fig5_figure"),
    "lufkin-fig6": (".papers:Fig6Config", ".papers:lufkin_fig6", ".paper_figures:lufkin_fig6_figure"),
    "lufkin-fig1-right": (".papers:Fig1RightConfig", ".papers:lufkin_fig1_right", ".paper_figures:lufkin_fig1_right_figure"),
    "ingrosso-goldt-2d": (".papers:IngrossoGoldtConfig", ".papers:ingrosso_goldt_2d",
                          ".paper_figures:ingrosso_goldt_2d_figure"),
    "two-d-discrepancy": (".two_d:TwoDConfig", ".two_d:two_d_discrepancy", ".two_d:two_d_discrepancy_figure"),
    "olshausen-field": (".olshausen_field:OlshausenFieldConfig", ".olshausen_field:olshausen_field",
                        ".olshausen_field:olshausen_field_figure"),
}


class _Reproductions(Mapping):
    """``{name: Reproduction}``, each entry's modules imported when it is first looked up (so
    that redrawing one reproduction, or listing the names, imports no other)."""

    def __init__(self, entries: dict[str, tuple[str, str, str]]):
        self._entries = entries
        self._loaded: dict[str, Reproduction] = {}

    def __getitem__(self, name: str) -> Reproduction:
        if name not in self._loaded:
            parts = [target.split(":") for target in self._entries[name]]
            self._loaded[name] = Reproduction(*(getattr(import_module(m, __name__), a) for m, a in parts))
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"REPRODUCTIONS({', '.join(self._entries)})"


REPRODUCTIONS: Mapping[str, Reproduction] = _Reproductions(_ENTRIES)
"""The reproductions by name (a read-only mapping; an entry's modules are imported on first use)."""

_EXPORTS = {
    "Fig1RightConfig": ".papers", "Fig3Config": ".papers", "Fig4Config": ".papers", "Fig5Config": ".papers",
    "Fig6Config": ".papers", "IngrossoGoldtConfig": ".papers", "PaperConfig": ".papers", "PaperResult": ".papers",
    "ingrosso_goldt_2d": ".papers", "lufkin_fig1_right": ".papers", "lufkin_fig3": ".papers", "lufkin_fig4": ".papers",
    "lufkin_fig5": ".papers", "lufkin_fig6": ".papers", "OlshausenFieldConfig": ".olshausen_field",
    "olshausen_field": ".olshausen_field", "TwoDConfig": ".two_d", "two_d_discrepancy": ".two_d",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)[0]


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
    from ..runs import save_arrays, staged_run, write_record

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
    from ..runs import load_run
    from .papers import PaperResult

    record, arrays = load_run(path)
    if not record["command"].startswith("reproduce "):
        raise DyntoolsError(f"{path} holds a '{record['command']}' run, not a reproduce run")
    return PaperResult(record["command"].split()[-1], record["config"], record["summary"], arrays[ARRAYS])


__all__ = [
    "REPRODUCTIONS", "Fig1RightConfig", "Fig3Config", "Fig4Config", "Fig5Config", "Fig6Config",
    "IngrossoGoldtConfig", "OlshausenFieldConfig", "PaperConfig", "PaperResult", "Reproduction", "TwoDConfig", "two_d_discrepancy", "ingrosso_goldt_2d", "load_result",
    "lufkin_fig1_right", "lufkin_fig3", "olshausen_field", "lufkin_fig4", "lufkin_fig5", "lufkin_fig6", "write_run",
]
