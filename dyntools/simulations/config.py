"""The settings of a simulation, as one frozen object (light to import: no JAX)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from ..errors import DyntoolsError
from ..inputs.spec import TaskSpec
from ..memory import check_memory

TRAINERS = {"sgd": "fresh batches", "flow": "gradient flow on --samples fixed samples"}
"""The trainers, each with what it trains on."""
SWEEP_AXES = {"kurtosis": float, "param": float, "xi0": float, "xi1": float, "lr": float, "init_scale": float,
              "proportion": float, "seed": int, "n_dims": int, "neurons": int, "batch": int}
"""The settings a sweep can vary (task and simulation fields), with their types."""
LIMITS = {"steps": 10**9, "batch": 10**8, "samples": 10**8, "seeds": 10**4, "saves": 10**5, "neurons": 10**4,
          "seed": 2**31 - 2}
TASK_FIELDS = tuple(f.name for f in fields(TaskSpec))
INIT_SCALE_RANGE = (1e-12, 1e12)  # beyond, the initial weights' fourth powers (the IPR) under- or overflow
# the smallest normal and the largest number of each network precision: the learning rates it can hold
FLOAT_RANGE = {"float32": (1.1754943508222875e-38, 3.4028234663852886e38),
               "float64": (2.2250738585072014e-308, 1.7976931348623157e308)}


@dataclass(frozen=True)
class SimulationConfig:
    r"""Everything that defines a simulation (saved in run.json); the options of ``dyntools simulate``.

    Values are checked by `validate` (each on its own) and
    [`prepare`][dyntools.simulations.simulate.prepare] (the task and theory they build).

    Attributes:
        task: the two-class task ([`TaskSpec`][dyntools.inputs.spec.TaskSpec]: family,
            kurtosis or param, n_dims, two_d, xi0, xi1, proportion, gaussian_clone).
        network: the network, a name from
            [`NETWORKS`][dyntools.registries.NETWORKS] (``committee``: the
            soft committee machine, readout fixed at 1/K; ``two-layer``: readout trained).
        neurons: K hidden units (1 = the single neuron).
        network_options: the network's own options, ``((name, value), ...)`` (its fields
            beyond ``n_inputs``, ``neurons``, ``activation`` and ``bias``; none for the built-in
            networks).
        activation: ``relu``, ``sigmoid`` or ``erf``.
        bias: trainable biases (no effective theory then).
        trainer: ``sgd`` (fresh batches) or ``flow`` (gradient flow on ``samples`` fixed samples).
        steps: SGD steps; time runs to $t = \text{lr} \times \text{steps}$.
        lr: the learning rate (also the time unit of the theory).
        batch: fresh samples per SGD step.
        samples: the fixed sample set of ``trainer="flow"``.
        init_scale: initial weights are Xavier normal times $\sqrt{\text{init\_scale}}$.
        seeds: network runs; they share the initial weights and differ in their data.
        seed: the random seed of the initial weights (the data use ``seed + 1``).
        saves: saved time points after $t = 0$ (capped at ``steps``, which must be a multiple of
            it).
        amplifier: the theory's amplifier form: ``quadrature``, ``series`` or ``closed``.
        order: the series order with ``amplifier="series"``.
        amplifier_options: the amplifier form's own options, ``((name, value), ...)`` (its
            ``__init__``'s keyword arguments after the marginal, besides ``order``).
        solver: the Diffrax solver of the ODEs (``tsit5``, ``dopri5``, ``dopri8``, ``bosh3``,
            ``heun``, ``euler``; ``euler`` steps the effective ODE by ``lr``).
        precision: the network's precision, ``float32`` or ``float64`` (the theory is float64).
    """

    task: TaskSpec = field(default_factory=TaskSpec)
    network: str = "committee"
    neurons: int = 1
    network_options: tuple[tuple[str, float], ...] = ()
    activation: str = "relu"
    bias: bool = False
    trainer: str = "sgd"
    steps: int = 2000
    lr: float = 0.05
    batch: int = 2000
    samples: int = 20_000
    init_scale: float = 1e-3
    seeds: int = 4
    seed: int = 0
    saves: int = 50
    amplifier: str = "quadrature"
    order: int = 5
    amplifier_options: tuple[tuple[str, float], ...] = ()
    solver: str = "tsit5"
    precision: str = "float32"

    def validate(self, *, network: bool = True) -> None:
        """Check every setting on its own (names, ranges, sizes, memory).

        The task and the theory are checked by
        [`prepare`][dyntools.simulations.simulate.prepare].

        Arguments:
            network: whether a network is trained; without one (a theory-only sweep) no input
                batches are drawn, and only the theory's saved weights count against the memory
                budget.

        Raises:
            DyntoolsError: for the first invalid setting, naming its field; also when the input
                batches or the saved weights would need more than `dyntools.memory.MEMORY_BUDGET` bytes.
        """
        from ..registries import AMPLIFIERS, check_entry_options
        from .solvers import check_solver
        from .networks import ACTIVATIONS, Network, network_class, network_names

        positive = lambda v: isinstance(v, (int, float)) and math.isfinite(v) and v > 0  # noqa: E731
        checks = [
            ("steps", self.steps >= 1, "must be at least 1"),
            ("lr", positive(self.lr), "must be a positive number"),
            ("batch", self.batch >= 1, "must be at least 1"),
            ("seeds", self.seeds >= 1, "must be at least 1"),
            ("init_scale", INIT_SCALE_RANGE[0] <= self.init_scale <= INIT_SCALE_RANGE[1],
             f"must be a positive number from {INIT_SCALE_RANGE[0]:g} to {INIT_SCALE_RANGE[1]:g}"),
            ("saves", self.saves >= 1, "must be at least 1"),
            ("neurons", self.neurons >= 1, "must be at least 1"),
            ("seed", self.seed >= 0, "must be non-negative"),
            ("trainer", self.trainer in TRAINERS, f"must be {' or '.join(TRAINERS)}"),
            ("precision", self.precision in ("float32", "float64"), "must be float32 or float64"),
            ("samples", self.samples >= 1, "must be at least 1"),
            ("order", self.order >= 1, "must be at least 1"),
        ]
        checks += [(name, getattr(self, name) <= bound, f"must be at most {bound}") for name, bound in LIMITS.items()]
        for name, ok, requirement in checks:
            if not ok:
                raise DyntoolsError(f"{name} {requirement} (got {getattr(self, name)!r})", arguments=(name,))
        for name, choices in (("network", network_names()), ("activation", ACTIVATIONS), ("amplifier", AMPLIFIERS.names())):
            if getattr(self, name) not in choices:
                raise DyntoolsError(f"unknown {name} {getattr(self, name)!r}; choose one of: {', '.join(choices)}")
        for name in ("network_options", "amplifier_options"):
            check_options(getattr(self, name), name)
        form = AMPLIFIERS.get(self.amplifier)
        check_entry_options(network_class(self.network), "network", self.network, Network.GIVEN,
                            dict(self.network_options))
        check_entry_options(form, "amplifier", self.amplifier, form.GIVEN, dict(self.amplifier_options))
        self._check_time()
        check_solver(self.solver)
        if self.steps % min(self.saves, self.steps):
            raise DyntoolsError(f"steps ({self.steps}) must be a multiple of saves ({self.saves})",
                                arguments=("steps", "saves"))
        self._check_memory(network)

    @property
    def n_pixels(self) -> int:
        """N, the number of pixels of the task."""
        return self.task.n_pixels

    def _check_time(self) -> None:
        """The learning rate must be a number of the network's precision, and t = lr x steps finite."""
        low, high = FLOAT_RANGE[self.precision]
        if not low <= self.lr <= high:
            raise DyntoolsError(f"lr must be from {low:.3g} to {high:.3g} with precision {self.precision} "
                                f"(got {self.lr:g})", arguments=("lr", "precision"))
        if not math.isfinite(self.lr * self.steps):
            raise DyntoolsError(f"the time t = lr x steps must be finite (got lr {self.lr:g} and steps {self.steps})",
                                arguments=("lr", "steps"))

    def _check_memory(self, network: bool) -> None:
        """The input batches (with a network) and the saved weights (of every seed's network, or
        of the theory alone) must fit in `dyntools.memory.MEMORY_BUDGET`."""
        itemsize = 4 if self.precision == "float32" else 8
        drawn = (self.seeds * self.batch if self.trainer == "sgd" else self.samples) if network else 0
        data = drawn * self.n_pixels * itemsize * 3
        seeds = ("seeds",) if network else ()  # the theory saves one trajectory
        saved = (self.seeds if network else 1) * (min(self.saves, self.steps) + 1) * self.neurons * self.n_pixels * 8
        for what, size, names in (("the input batches", data, ("batch", "seeds", "samples")),
                                  ("the saved weights", saved, ("saves", *seeds, "neurons"))):
            check_memory(size, what, (*names, "n_dims"))

    def as_dict(self) -> dict:
        """The settings as a plain dict, as saved in run.json (``task`` a dict of its own).

        Returns:
            ``{field name: value}`` for every field.
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, settings: dict) -> SimulationConfig:
        """The config `as_dict` wrote (also the flat records of dyntools 0.x runs, whose task
        fields sat beside the others with ``xi`` a pair).

        Arguments:
            settings: ``{field name: value}``.

        Returns:
            The config.
        """
        settings = dict(settings)
        for name in ("network_options", "amplifier_options"):
            if name in settings:  # JSON lists, back to pairs
                settings[name] = tuple(tuple(pair) for pair in settings[name])
        if "task" not in settings:  # a flat record
            task = {name: settings.pop(name) for name in TASK_FIELDS if name in settings}
            if "xi" in settings:
                task["xi0"], task["xi1"] = settings.pop("xi")
            settings["task"] = task
        return cls(**{**settings, "task": TaskSpec(**settings["task"])})


def check_options(options: tuple, name: str) -> None:
    """Check an entry's own options: ``((name, number), ...)``, names unique identifiers,
    values finite numbers (which names an entry takes is checked when it is built).

    Raises:
        DyntoolsError: for anything else, naming ``name``.
    """
    pairs = options if isinstance(options, tuple) else None
    if pairs is None or not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
        raise DyntoolsError(f"{name} must be pairs (name, number) (got {options!r})", arguments=(name,))
    for option, value in pairs:
        if not (isinstance(option, str) and option.isidentifier()):
            raise DyntoolsError(f"{name}: an option's name must be an identifier (got {option!r})", arguments=(name,))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise DyntoolsError(f"{name}: option {option} must be a finite number (got {value!r})", arguments=(name,))
    names = [option for option, _ in pairs]
    if len(set(names)) < len(names):
        raise DyntoolsError(f"{name}: an option is given twice ({', '.join(names)})", arguments=(name,))

