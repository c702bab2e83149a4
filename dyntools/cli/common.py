"""Options shared by the commands, and helpers that turn them into library objects and print results."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..errors import DyntoolsError
from ..inputs.spec import ALL_FAMILIES, XI_RANGE, family_parameters
from ..registries import AMPLIFIERS, NETWORKS, FileRegistry, literal_keys
from ..simulations.config import FLOAT_RANGE, INIT_SCALE_RANGE, TRAINERS
from ..simulations.solvers import SOLVERS

if TYPE_CHECKING:
    from ..inputs.spec import TaskSpec


def entries(registry: FileRegistry, what: str) -> str:
    """A help text listing a registry's entries: ``WHAT: a, b, c.`` then one paragraph
    ``NAME: description.`` per entry (typer shows each on a line of its own), read from the
    entries' classes without importing them (see
    [`FileRegistry.descriptions`][dyntools.registries.FileRegistry.descriptions])."""
    described = registry.descriptions()
    return "\n\n".join([f"{what}: {', '.join(described)}.",
                         *(f"{name}: {text.rstrip('.')}." for name, text in described.items() if text)])


def short(x: float) -> str:
    """A number for a help text, as short as it is exact: 0.001, 1e6, 1e-12."""
    return re.sub(r"e([+-])0*(\d)", lambda m: f"e{m[1].strip('+')}{m[2]}", format(x, "g"))


def choice_list(names) -> str:
    """``a, b or c``."""
    names = list(names)
    return " or ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def flag(*names: str, **settings) -> typer.models.OptionInfo:
    """An on/off option: shown in help without a value type (it takes none)."""
    return typer.Option(*names, metavar="", **settings)


# ---- options shared by every command that builds inputs --------------------------------------
TASK_PANEL = "Task (the same in every command)"
SIMULATION_PANEL = "Network, training and theory"
Family = Annotated[str, typer.Option(rich_help_panel=TASK_PANEL, help=f"Pixel marginal family: {', '.join(ALL_FAMILIES)} (alg is the paper's Kur(k)).")]
Kurtosis = Annotated[Optional[float], typer.Option("--kurtosis", rich_help_panel=TASK_PANEL, help="Requested EXCESS kurtosis (0 = Gaussian, >= -2).")]
Param = Annotated[Optional[float], typer.Option("--param", rich_help_panel=TASK_PANEL, help=f"Raw family parameter ({', '.join(f'{f}: {p}' for f, p in family_parameters().items())}).")]
Gain = Annotated[Optional[float], typer.Option("--gain", rich_help_panel=TASK_PANEL, help="NLGP gain g in erf(g z) (implies --family nlgp).")]
NDims = Annotated[int, typer.Option("--n-dims", rich_help_panel=TASK_PANEL, help="Pixels N on the ring, or side L of the L x L torus with --2d.")]
Xi = Annotated[tuple[str, str], typer.Option("--xi", metavar="XI0 XI1", rich_help_panel=TASK_PANEL, help=f"Correlation lengths XI0 XI1 of class 0 and class 1 (pixels, {short(XI_RANGE[0])} to {short(XI_RANGE[1])}).")]
TwoD = Annotated[bool, flag("--2d", rich_help_panel=TASK_PANEL, help="L x L images on a torus instead of a ring.")]
Proportion = Annotated[float, typer.Option("--proportion", rich_help_panel=TASK_PANEL, help="P(y = 1).")]
Clone = Annotated[bool, flag("--gaussian-clone", rich_help_panel=TASK_PANEL, help="Gaussian pixels with exactly the chosen model's pixel "
                                                             "covariance: the control without higher-order statistics.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed.")]
Out = Annotated[Optional[Path], typer.Option("--out", help="Run directory: new, empty, or a finished run to replace "
                                              "with --force (default: a new one under runs/COMMAND/, named by the time; "
                                              "runs/COMMAND/latest points at the newest).", show_default=False)]
Force = Annotated[bool, flag("--force", help="Replace the finished run in --out (never a directory holding "
                                                     "anything else).")]
Json = Annotated[bool, flag("--json", help="Print the summary as one JSON object (strict JSON: "
                                                   "non-finite numbers are null, listed under non_finite).")]
MAX_INPUT_SAMPLES = 10**8
MAX_ORDER = 21  # series order for derive: SymPy's series grows fast beyond this
# flags whose name is not the Python argument's with dashes (see `flag_message`)
FLAGS = {"lam": "--lambda", "two_d": "--2d", "xi0": "--xi XI0", "xi1": "--xi XI1", "network_options": "--network-option",
         "amplifier_options": "--amplifier-option"}


def flag_message(error: DyntoolsError) -> str:
    """The library's message with the Python arguments it names replaced by their flags
    (``steps must be ...`` -> ``--steps must be ...``), on one line: characters that are not
    printable (a newline in user text it quotes) are written as escapes."""
    message = str(error)
    for name in error.arguments:
        flag = FLAGS.get(name, "--" + name.replace("_", "-"))
        message = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flag, message)
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in message)


def option_group(options: dict[str, tuple[object, object]], build: Callable[..., object], into: str):
    """A decorator that gives a command a group of options and hands it what they build.

    The command's signature gains ``options`` (listed first in its help); the wrapper calls
    ``build(**their values)`` and passes the result as ``into``. One declaration of each option,
    with one default, serves every command.

    Arguments:
        options: ``{parameter name: (typer annotation, default)}``.
        build: makes the object from the options' values.
        into: the command's parameter that receives it.
    """
    def decorate(command: Callable) -> Callable:
        own = [p for name, p in inspect.signature(command, eval_str=True).parameters.items() if name != into]
        group = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
                 for name, (annotation, default) in options.items()]

        @functools.wraps(command)
        def wrapper(**values):
            built = build(**{name: values.pop(name) for name in options})
            return command(**values, **{into: built})

        keyword = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
        wrapper.__signature__ = inspect.Signature([*group, *keyword])
        wrapper.__annotations__ = {p.name: p.annotation for p in (*own, *group)}
        return wrapper

    return decorate


def task_option_specs(*, marginal: bool = True, classes: bool = True) -> dict[str, tuple[object, object]]:
    """The task options: the fields of [`TaskSpec`][dyntools.inputs.spec.TaskSpec] with its
    defaults (``--xi`` for xi0 and xi1), plus ``--gain``.

    Arguments:
        marginal: include ``--kurtosis``, ``--param`` and ``--gain`` (a sweep takes lists of
            them instead, and sets them per point).
        classes: include ``--xi``, ``--proportion`` and ``--gaussian-clone`` (``derive`` needs
            only the pixel marginal).
    """
    from ..inputs.spec import TaskSpec

    d = defaults(TaskSpec)
    options = {"family": (Family, d["family"])}
    if marginal:
        options.update(kurtosis=(Kurtosis, d["kurtosis"]), param=(Param, d["param"]), gain=(Gain, None))
    options.update(n_dims=(NDims, d["n_dims"]), two_d=(TwoD, d["two_d"]))
    if classes:
        options.update(xi=(Xi, (d["xi0"], d["xi1"])), proportion=(Proportion, d["proportion"]),
                       gaussian_clone=(Clone, d["gaussian_clone"]))
    return options


def defaults(config_class) -> dict:
    """A config dataclass's field defaults, read without making one (which would import JAX)."""
    return {f.name: f.default for f in dataclasses.fields(config_class)}


def task_options(**which):
    """Give a command the task options (see `task_option_specs`); it receives ``task: TaskSpec``."""
    return option_group(task_option_specs(**which), task_spec, "task")


def task_spec(family: str, n_dims: int, two_d: bool, kurtosis=None, param=None, gain=None, xi=None,
              **classes) -> TaskSpec:
    """The task the task options describe (``--gain`` sets the NLGP's parameter)."""
    from ..inputs.spec import TaskSpec

    family, param = with_gain(family, param, gain)
    xi = {} if xi is None else dict(zip(("xi0", "xi1"), _numbers("--xi", xi)))
    return TaskSpec(family=family, kurtosis=kurtosis, param=param, n_dims=n_dims, two_d=two_d, **xi, **classes)


MULTI_VALUE = {"--xi": 2}  # options that take several values


OPTIONAL_VALUES = {"--images": ""}
"""Options whose value may be left out (``--images`` or ``--images DIR``), and the value they
then take; typer's parser cannot say so."""


def with_optional_values(argv: list[str]) -> list[str]:
    """``argv`` with the value of every `OPTIONAL_VALUES` option that has none (at the end, or
    followed by another option) filled in."""
    filled = []
    for i, word in enumerate(argv):
        filled.append(word)
        if word in OPTIONAL_VALUES and (i + 1 == len(argv) or argv[i + 1].startswith("-")):
            filled.append(OPTIONAL_VALUES[word])
    return filled


def check_multi_value_options(argv: list[str]) -> None:
    """Refuse an option that takes several values followed by another option instead (``--xi 1
    --out x``): the parser would take ``--out`` as a value and complain about something else."""
    for i, word in enumerate(argv):
        count = MULTI_VALUE.get(word)
        values = argv[i + 1:i + 1 + count] if count else []
        if any(value.startswith("--") for value in values):
            raise DyntoolsError(f"{word} takes {count} values (got {' '.join(map(repr, values))})")


def _numbers(flag: str, texts: tuple[str, ...]) -> tuple[float, ...]:
    """The values of an option that takes several numbers (read as text, so that a forgotten
    value, as in ``--xi 1 --out x``, is named in the message)."""
    try:
        return tuple(float(text) for text in texts)
    except ValueError:
        raise DyntoolsError(f"{flag} takes {len(texts)} numbers (got {' '.join(map(repr, texts))})") from None


def with_gain(family, param, gain):
    """--gain is the NLGP's parameter: (family, param) with it applied (checked finite here, so
    that the message names --gain, not --param)."""
    import math

    if gain is None:
        return family, param
    if family not in ("auto", "nlgp"):
        raise DyntoolsError(f"--gain is the NLGP gain; it does not apply to family {family!r}")
    if param is not None:
        raise DyntoolsError("give --gain or --param, not both")
    if not math.isfinite(gain):
        raise DyntoolsError(f"--gain must be a finite number (got {gain})")
    return "nlgp", gain


def clone_label(clone_of: dict | None) -> str:
    """' (Gaussian clone of ...)' for a clone's description, else ''."""
    if not clone_of:
        return ""
    return (f" (Gaussian clone of {clone_of['family']} ({clone_of['parameter_name'] or 'no parameter'} = "
            f"{num(clone_of['parameter'])}, excess kurtosis {num(clone_of['excess_kurtosis'])}): Gaussian pixels, "
            "same covariance)")


def emit(summary: dict, as_json: bool, lines: list[str]) -> None:
    from ..runs import strict_json

    if as_json:
        print(strict_json(summary))
    else:
        print("\n".join(lines))


def clipping_lines(clipping: dict) -> list[str]:
    return [f"kernel of {cls}: {rep['n_clipped']} negative eigenvalues clipped to zero (smallest "
            f"{rep['min_eigenvalue']:.3g}); the covariance used is the nearest valid one"
            for cls, rep in clipping.items() if rep["n_clipped"]]


def num(x, fmt=".4g") -> str:
    return "none" if x is None else format(x, fmt)


NetworkName = Annotated[str, typer.Option("--network", rich_help_panel=SIMULATION_PANEL, help=entries(NETWORKS, "The network"))]
Neurons = Annotated[int, typer.Option(rich_help_panel=SIMULATION_PANEL, help="Hidden units K (1 = the single neuron).")]
Activation = Annotated[str, typer.Option(rich_help_panel=SIMULATION_PANEL, help=choice_list(literal_keys("dyntools.simulations.networks._base", "ACTIVATIONS")) + ".")]
Bias = Annotated[bool, flag("--bias", rich_help_panel=SIMULATION_PANEL, help="Trainable biases (no effective theory then).")]
Steps = Annotated[int, typer.Option(rich_help_panel=SIMULATION_PANEL, help="SGD steps (t = lr x steps).")]
Lr = Annotated[float, typer.Option("--lr", rich_help_panel=SIMULATION_PANEL, help="Learning rate.")]
Batch = Annotated[int, typer.Option(rich_help_panel=SIMULATION_PANEL, help="Fresh samples per SGD step.")]
Samples = Annotated[int, typer.Option(rich_help_panel=SIMULATION_PANEL, help="Fixed sample set for --trainer flow.")]
InitScale = Annotated[float, typer.Option("--init-scale", rich_help_panel=SIMULATION_PANEL, help="Initial weights: Xavier normal x sqrt(init-scale) "
                                                                                    f"({short(INIT_SCALE_RANGE[0])} to {short(INIT_SCALE_RANGE[1])}).")]
Seeds = Annotated[int, typer.Option(rich_help_panel=SIMULATION_PANEL, help="Network runs (they share the initial weights, differ in data).")]
AmplifierKind = Annotated[str, typer.Option("--amplifier", rich_help_panel=SIMULATION_PANEL, help=entries(AMPLIFIERS, "Theory amplifier"))]
Order = Annotated[int, typer.Option(rich_help_panel=SIMULATION_PANEL, help="Series order with --amplifier series.")]
NetworkOptions = Annotated[Optional[list[str]], typer.Option("--network-option", metavar="NAME=NUMBER", rich_help_panel=SIMULATION_PANEL, help="An option of the network's own (repeat for several), e.g. --network-option temperature=0.5 (a plug-in network's); the built-in networks take none.")]
AmplifierOptions = Annotated[Optional[list[str]], typer.Option("--amplifier-option", metavar="NAME=NUMBER", rich_help_panel=SIMULATION_PANEL, help="An option of the amplifier form's own, besides --order (repeat for several); the built-in forms take none.")]
Solver = Annotated[str, typer.Option(rich_help_panel=SIMULATION_PANEL, help=f"Diffrax solver: {', '.join(SOLVERS)}.")]
Trainer = Annotated[str, typer.Option(rich_help_panel=SIMULATION_PANEL, help=" or ".join(f"{name} ({what})" for name, what in TRAINERS.items()) + ".")]
Saves = Annotated[int, typer.Option(rich_help_panel=SIMULATION_PANEL, help="Saved time points.")]
Precision = Annotated[str, typer.Option(rich_help_panel=SIMULATION_PANEL, help=f"Network precision: {choice_list(FLOAT_RANGE)} (theory: float64).")]
SIMULATION_OPTIONS = {"network": NetworkName, "neurons": Neurons, "activation": Activation, "bias": Bias, "trainer": Trainer, "steps": Steps,
                      "lr": Lr, "batch": Batch, "samples": Samples, "init_scale": InitScale, "seeds": Seeds,
                      "seed": Seed, "saves": Saves, "amplifier": AmplifierKind, "order": Order, "solver": Solver,
                      "precision": Precision, "network_options": NetworkOptions, "amplifier_options": AmplifierOptions}
OPTION_BAGS = ("network_options", "amplifier_options")  # NAME=NUMBER texts -> ((name, value), ...)


def simulation_options(*, marginal: bool = True, **overrides):
    """Give a command the task options and every other field of
    [`SimulationConfig`][dyntools.simulations.config.SimulationConfig], with its defaults or those
    given; it receives ``config: SimulationConfig``.

    Arguments:
        marginal: as in `task_option_specs` (a sweep sets the marginal per point).
        overrides: the command's own defaults for some fields (``steps=1000``).
    """
    from ..simulations.config import SimulationConfig

    base = defaults(SimulationConfig) | dict.fromkeys(OPTION_BAGS) | overrides
    task = task_option_specs(marginal=marginal)
    options = {name: (annotation, base[name]) for name, annotation in SIMULATION_OPTIONS.items()}

    def build(**values):
        values.update({name: parse_options(values[name], name) for name in OPTION_BAGS})
        return SimulationConfig(task=task_spec(**{name: values.pop(name) for name in task}), **values)

    return option_group(task | options, build, "config")


def parse_options(texts: list[str] | None, name: str) -> tuple[tuple[str, float], ...]:
    """``NAME=NUMBER`` texts as ``((name, number), ...)``: the name an identifier, the number
    read by ``float`` (never evaluated).

    Raises:
        DyntoolsError: for a text of another form, naming the option ``name``.
    """
    pairs = []
    for text in texts or ():
        key, equals, value = text.partition("=")
        try:
            number = float(value) if equals and key.strip().isidentifier() else None
        except ValueError:
            number = None
        if number is None:
            raise DyntoolsError(f"{name} must be NAME=NUMBER, e.g. temperature=0.5 (got {text!r})", arguments=(name,))
        pairs.append((key.strip(), number))
    return tuple(pairs)


class Interrupted(Exception):
    """Ctrl-C, with a note on what was kept."""


RETRY_INTERRUPT_S = 0.05
_interrupt_pending = threading.Event()


def on_interrupt(signum, frame) -> None:
    """The command's Ctrl-C handler: a KeyboardInterrupt, raised at once where that is safe.

    Raised while a module is imported, a KeyboardInterrupt can abort the process (a C
    extension's initialisation fails); raised in a garbage-collection callback or ``__del__``
    (JAX runs one after collections) it is swallowed and the run goes on; a step of writing a
    run must not stop half way (see [`uninterrupted`][dyntools.files.uninterrupted]). There the
    signal is sent again a moment later, and the next progress report raises it.
    """
    _interrupt_pending.set()
    if _fragile(frame):
        threading.Timer(RETRY_INTERRUPT_S, os.kill, (os.getpid(), signal.SIGINT)).start()
        return
    raise KeyboardInterrupt


def _fragile(frame) -> bool:
    from ..files import in_uninterrupted_step

    if in_uninterrupted_step():
        return True
    while frame is not None:
        if frame.f_code.co_name in ("__del__", "_xla_gc_callback") or "<frozen importlib" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def _check_interrupt() -> None:
    if _interrupt_pending.is_set():
        raise KeyboardInterrupt


def check_out(out: Path | None, force: bool) -> None:
    """Check an explicit ``--out`` before any work (see `dyntools.runs.check_writable`)."""
    from ..runs import check_writable

    if out is not None:
        check_writable(out, force)


@contextmanager
def run_directory(out: Path | None, force: bool, kind: str) -> Iterator[Path]:
    """Hold the directory the run goes to for the block: ``--out`` (see `dyntools.runs.reserve`)
    or, without it, a new one under ``runs/KIND`` (see `dyntools.runs.reserve_new`)."""
    from ..runs import reserve, reserve_new

    with (reserve_new(Path("runs") / kind) if out is None else reserve(out, force)) as path:
        if "matplotlib.pyplot" not in sys.modules:  # the figures need it: import it while the work runs
            threading.Thread(target=_import_pyplot, daemon=True).start()
        yield path


def _import_pyplot() -> None:
    """Import matplotlib's pyplot with the Agg backend (0.3 s): beside a run's computation, which
    releases the interpreter while it computes, it is ready when the figures are drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401


def save_figures(directory: Path) -> list[str]:
    """Draw a run's figures from its saved files and write them beside them; their names."""
    from ..figures import run_figures
    from ..plots import save

    figures = run_figures(directory)
    for name, figure in figures.items():
        save(figure, Path(directory) / name)
    return list(figures)


STATUS_ENV = "DYNTOOLS_STATUS_SECONDS"  # seconds between status lines when stderr is not a terminal
STATUS_SECONDS = 30.0


@contextmanager
def progress(description: str, total: float, unit: str) -> Iterator[Callable[[float, float], None]]:
    """Report a long job's progress on stderr; yields ``update(done, total)``.

    A rich bar in a terminal (gone when the job ends); otherwise (logs, Slurm) one status line
    every `STATUS_SECONDS` (``$DYNTOOLS_STATUS_SECONDS``), so a log shows the job is alive.
    """
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            job = bar.add_task(description, total=total)

            def advance(done: float, total: float) -> None:
                _check_interrupt()
                bar.update(job, completed=done, total=total)

            yield advance
        return
    every = float(os.environ.get(STATUS_ENV) or STATUS_SECONDS)
    start = last = time.monotonic()

    def status(done: float, total: float) -> None:
        nonlocal last
        _check_interrupt()
        now = time.monotonic()
        if now - last >= every:
            last = now
            count = f"{done:,.0f}" if float(done).is_integer() else f"{done:,.1f}"  # a share of a point: 2.2 of 9
            print(f"dyntools: {description}: {count} of {total:,.0f} {unit} ({100 * done / max(total, 1):.0f}%), "
                  f"{now - start:.0f} s", file=sys.stderr, flush=True)

    yield status
