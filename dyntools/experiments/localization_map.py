"""The localization map: how localized each learning principle's receptive fields are, across the
pixel marginal's excess kurtosis, on the same inputs.

At every excess kurtosis (the task's family, ``auto`` by default) each sparse-coding or ICA baseline is trained on the
task's inputs (labels unused) and reports the median IPR of its atoms; the supervised single
ReLU neuron reports its final IPR (mean over seeds) and the effective theory's.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, replace
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import DyntoolsError
from ..registries import BASELINES
from ..inputs.spec import TaskSpec
from ..simulations.config import SimulationConfig

if TYPE_CHECKING:  # the settings are light to import (the command line's help shows their defaults)
    import numpy as np
    from jaxtyping import Float

    from ..baselines import BaselineConfig

_HEAVY = {"BaselineConfig": "..baselines", "task_sampler": "..baselines", "train_baseline": "..baselines",
          "run_simulation": "..simulations", "prepare": "..simulations.simulate"}


def __getattr__(name: str):
    """What the map computes with (JAX), imported on first use; the settings stay light to import."""
    if name not in _HEAVY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(import_module(_HEAVY[name], __package__), name)
    return value


def _heavy():
    """This module, whose `_HEAVY` names its functions look up (imported, or replaced by a test)."""
    return sys.modules[__name__]


SUPERVISED = {"steps": 1000, "lr": 0.1, "batch": 1000, "seeds": 2, "saves": 10}
"""The supervised neuron's training settings (made into a SimulationConfig per map: building
its task imports JAX)."""
KURTOSIS = (-1.5, 4.0, 6)
"""START, STOP and COUNT of the default excess kurtosis values (evenly spaced, as
``np.linspace``; ``-1.5:4:6`` on the command line)."""


def _linspace(start: float, stop: float, count: int) -> tuple[float, ...]:
    """``tuple(np.linspace(start, stop, count))`` as Python floats, the same numbers (NumPy
    computes ``start + i * step`` and sets the last to ``stop``), without importing NumPy."""
    step = (stop - start) / (count - 1) if count > 1 else 0.0
    return tuple(stop if i == count - 1 and count > 1 else i * step + start for i in range(count))


@dataclass(frozen=True)
class LocalizationMapConfig:
    """Every setting of a localization map (saved whole in run.json).

    Attributes:
        kurtosis: the excess kurtosis values, one point each.
        methods: baseline names, of [`BASELINES`][dyntools.registries.BASELINES].
        task: the task ([`TaskSpec`][dyntools.inputs.spec.TaskSpec]); its kurtosis is set per
            point (its param must be None).
        atoms: dictionary size of every baseline (ICA: components); None for as many as pixels.
        lam: sparsity penalty (None: each baseline's default).
        steps: training steps of every baseline.
        seed: random seed of baselines and network.
        supervised: the supervised neuron's training settings; its task and seed are set per
            point.
    """

    kurtosis: tuple[float, ...] = _linspace(*KURTOSIS)
    methods: tuple[str, ...] = ("lca", "wlsc", "ica")
    task: TaskSpec = field(default_factory=TaskSpec)
    atoms: int | None = None
    lam: float | None = None
    steps: int = 1000
    seed: int = 0
    supervised: SimulationConfig = field(default_factory=lambda: SimulationConfig(**SUPERVISED))

    def baselines(self) -> dict[str, BaselineConfig]:
        """{method: its validated BaselineConfig}.

        Raises:
            DyntoolsError: no method, or a method's settings are invalid.
        """
        if not self.methods:
            raise DyntoolsError(f"methods names no baseline; choose from: {', '.join(BASELINES.names())}")
        configs = {name: _heavy().BaselineConfig(name, self.atoms, self.lam, steps=self.steps, seed=self.seed)
                   for name in self.methods}
        for config in configs.values():
            config.validate()
            config.check_size(self.task.n_pixels)
        return configs

    def points(self) -> list:
        """The supervised neuron's prepared simulation at every kurtosis (every task built, so every
        error is raised, before any training)."""
        if self.task.param is not None:
            raise DyntoolsError("a localization map sets the kurtosis of each point; the task takes no param",
                                arguments=("param",))
        return [_heavy().prepare(replace(self.supervised, task=replace(self.task, kurtosis=float(k)), seed=self.seed))
                for k in self.kurtosis]

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, settings: dict) -> LocalizationMapConfig:
        """The config `as_dict` wrote.

        Raises:
            DyntoolsError: for a record of dyntools 0.x (its task fields flat), which has no config.
        """
        if "task" not in settings:
            raise DyntoolsError("this localization map predates typed results (its record has no task)")
        return cls(**{**settings, "kurtosis": tuple(settings["kurtosis"]), "methods": tuple(settings["methods"]),
                      "task": TaskSpec(**settings["task"]),
                      "supervised": SimulationConfig.from_dict(settings["supervised"])})


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class LocalizationMapResult:
    """What [`localization_map`][dyntools.experiments.localization_map.localization_map] returns,
    and what [`load`][dyntools.experiments.localization_map.LocalizationMapResult.load] reads back.

    Attributes:
        config: the settings.
        excess_kurtosis: [P] the excess kurtosis of each point.
        median_ipr: ``{name: [P]}``: each baseline's median atom IPR, ``"supervised neuron"``
            (its final IPR, mean over seeds) and ``"theory"`` (the effective ODE's final IPR).
        family: [P] the pixel marginal's family at each point (``auto`` resolved; empty in
            records of dyntools 0.x).
        spread: ``{name: [P, 2]}``: each baseline's atom IPR quartiles (q1, q3) and the
            supervised neuron's mean +- s.d. over seeds (empty in older records).
    """

    config: LocalizationMapConfig
    excess_kurtosis: Float[np.ndarray, " P"]
    median_ipr: dict[str, Float[np.ndarray, " P"]]
    family: tuple[str, ...] = ()
    spread: dict[str, Float[np.ndarray, "P 2"]] = field(default_factory=dict)

    @property
    def table(self) -> dict:
        """``{"excess_kurtosis": [P], "family": [P], "median_ipr": {name: [P]}, "spread": {name:
        [P, 2]}}``, as run.json's summary holds it."""
        return {"excess_kurtosis": self.excess_kurtosis, "family": list(self.family), "median_ipr": self.median_ipr,
                "spread": self.spread}

    @classmethod
    def load(cls, directory: Path | str) -> LocalizationMapResult:
        """A finished ``dyntools localization-map`` run, read back.

        Raises:
            DyntoolsError: not a run, a run of another command, or a dyntools 0.x record.
        """
        import numpy as np

        from ..runs import load_run

        record, _ = load_run(directory, command="localization-map")
        table = record["summary"]
        return cls(LocalizationMapConfig.from_dict(record["config"]), np.asarray(table["excess_kurtosis"], float),
                   {name: np.asarray(v, float) for name, v in table["median_ipr"].items()}, tuple(table.get("family", ())),
                   {name: np.asarray(v, float) for name, v in table.get("spread", {}).items()})


def localization_map(config: LocalizationMapConfig,
                     progress: Callable[[int, int], None] | None = None) -> LocalizationMapResult:
    """Train every baseline and the supervised neuron at every excess kurtosis.

    Arguments:
        config: the settings.
        progress: called with (points done, points in all) after each point.
    Returns:
        The [`LocalizationMapResult`][dyntools.experiments.localization_map.LocalizationMapResult].
    """
    import numpy as np

    heavy = _heavy()
    baselines = config.baselines()
    points = config.points()
    median_ipr = {"supervised neuron": [], "theory": [], **{name: [] for name in baselines}}
    spread = {"supervised neuron": [], **{name: [] for name in baselines}}
    for i, point in enumerate(points):
        for name, baseline in baselines.items():
            summary = heavy.train_baseline(heavy.task_sampler(point.task), point.task.n_pixels, baseline).summary
            median_ipr[name].append(summary["ipr_median"])
            spread[name].append((summary["ipr_q1"], summary["ipr_q3"]))
        summary = heavy.run_simulation(point).summary
        mean, sd = summary.ipr_sim_final_mean, summary.ipr_sim_final_std
        median_ipr["supervised neuron"].append(mean)
        spread["supervised neuron"].append((mean - sd, mean + sd))
        median_ipr["theory"].append(summary.ipr_theory_final)
        if progress is not None:
            progress(i + 1, len(points))
    return LocalizationMapResult(config, np.asarray(config.kurtosis, dtype=float),
                                 {name: np.asarray(values, dtype=float) for name, values in median_ipr.items()},
                                 tuple(point.task.pixel_marginal.family for point in points),
                                 {name: np.asarray(values, dtype=float) for name, values in spread.items()})
