"""The one schema of a finished run directory, and the safe reading of its files.

A run directory holds ``run.json`` and the array files its command writes (``.npz``, a sweep's
``sweep.nc``). Everything is checked against `RECORD` and `COMMANDS` before any array data is
read: the record's keys and their types, the config and summary entries that readers use, the
array files, their arrays' names, dtypes (floating or integer) and shapes (bound to the sizes the
config implies). Anything else is the one-line `DyntoolsError` ``"<DIR> is a corrupt run: <what>"``.

Files are opened only when they are regular files (never a link, a FIFO or a device), JSON is
parsed only after its nesting depth is found to be at most `MAX_DEPTH`, and an ``.npz`` member is
read only when it is stored uncompressed and its header declares exactly the bytes it holds, so
reading never takes more memory than the file's size.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import typing
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from fnmatch import fnmatchcase
from importlib import import_module
from pathlib import Path
from typing import IO, Any, Callable, NamedTuple

import numpy as np

from .errors import DyntoolsError

RECORD_FILE = "run.json"
MAX_DEPTH = 64  # deepest JSON nesting a record (or a sweep's config attribute) may have
FLOATING, INTEGER, ANY = "f", "iu", "fiub"  # NumPy dtype kinds an array may have (ANY: also boolean)
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


class Corrupt(Exception):
    """What is wrong with a run (turned into the one-line error by [`corrupt`][dyntools.records.corrupt])."""


def corrupt(directory: Path | str, what: str) -> DyntoolsError:
    """The error of a corrupt run.

    Arguments:
        directory: the run directory.
        what: what is wrong, on one line.

    Returns:
        ``DyntoolsError("<directory> is a corrupt run: <what>")``.
    """
    return DyntoolsError(f"{directory} is a corrupt run: {' '.join(what.split())}")


# --- type specifications: a Python type, a tuple of alternatives, or one of these ---------------


class ListOf(NamedTuple):
    """A JSON list whose items match `item`."""

    item: Any


class Row(NamedTuple):
    """A JSON list of ``len(items)`` values, the i-th matching ``items[i]`` (a fixed-length tuple)."""

    items: tuple


class DictOf(NamedTuple):
    """A JSON object whose values match `value` (any keys)."""

    value: Any


class Keys(NamedTuple):
    """A JSON object with `required` and `optional` keys ({key: spec}); others only if `open`."""

    required: dict
    optional: dict = {}
    open: bool = True


class Fields(NamedTuple):
    """The settings of a config dataclass (``"module:Class"``): no unknown key, every value of its
    field's type (their values are checked by [`build`][dyntools.records.build])."""

    target: str


def check(value: Any, spec: Any, where: str) -> None:
    """Raise `Corrupt` unless `value` matches `spec`.

    Arguments:
        value: a value read from JSON.
        spec: `str`, `int` (not bool), `float` (any number but bool), `bool`, `dict`, `list`,
            None, a tuple of alternatives (the first that matches the value's JSON type is
            checked), or a `ListOf`, `DictOf`, `Keys` or `Fields`.
        where: the value's key path, for the message.
    """
    if type(spec) is tuple:
        spec = next((s for s in spec if _matches(value, s)), spec)
    if not _matches(value, spec):
        raise Corrupt(f"{where} is {_kind(value)}, not {_name(spec)}")
    if isinstance(spec, ListOf):
        for i, item in enumerate(value):
            check(item, spec.item, f"{where}[{i}]")
    elif isinstance(spec, Row):
        if len(value) != len(spec.items):
            raise Corrupt(f"{where} has {len(value)} items, not {len(spec.items)}")
        for i, (item, item_spec) in enumerate(zip(value, spec.items)):
            check(item, item_spec, f"{where}[{i}]")
    elif isinstance(spec, DictOf):
        for key, item in value.items():
            check(item, spec.value, f"{where}.{key}")
    elif isinstance(spec, Keys):
        _check_keys(value, spec, where)
    elif isinstance(spec, Fields):
        _check_fields(value, _import(spec.target), where)


def _matches(value: Any, spec: Any) -> bool:
    if isinstance(spec, (ListOf, Row)):
        return isinstance(value, list)
    if isinstance(spec, (DictOf, Keys, Fields)):
        return isinstance(value, dict)
    if type(spec) is tuple:
        return any(_matches(value, s) for s in spec)
    if spec is None:
        return value is None
    if spec is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if spec is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, spec)


def _name(spec: Any) -> str:
    if type(spec) is tuple:
        return " or ".join(_name(s) for s in spec)
    if isinstance(spec, (ListOf, Row)):
        return "a list"
    if isinstance(spec, (DictOf, Keys, Fields)):
        return "an object"
    return {None: "null", str: "a string", int: "an integer", float: "a number", bool: "true or false",
            dict: "an object", list: "a list"}[spec]


def _kind(value: Any) -> str:
    for spec in (None, bool, int, float, str, list, dict):
        if _matches(value, spec):
            return _name(spec)
    return type(value).__name__


def _check_keys(value: dict, spec: Keys, where: str) -> None:
    for key, item in spec.required.items():
        if key not in value:
            raise Corrupt(f"{where} has no '{key}'")
        check(value[key], item, f"{where}.{key}")
    for key, item in spec.optional.items():
        if key in value:
            check(value[key], item, f"{where}.{key}")
    unknown = sorted(set(value) - set(spec.required) - set(spec.optional))
    if unknown and not spec.open:
        raise Corrupt(f"{where} has an unknown key '{unknown[0]}'")


def _check_fields(value: dict, cls: type, where: str) -> None:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields(cls) if f.init]
    unknown = sorted(set(value) - set(names))
    if unknown:
        raise Corrupt(f"{where} has an unknown key '{unknown[0]}' (a {cls.__name__} has: {', '.join(names)})")
    for key, item in value.items():
        check(item, _spec_of(hints[key]), f"{where}.{key}")


def _spec_of(hint: Any) -> Any:
    """The spec of a dataclass field's type: int, float, str, bool, X | None, tuple[X, ...],
    tuple[X, Y] (fixed length), a dataclass."""
    if is_dataclass(hint):
        return Fields(f"{hint.__module__}:{hint.__qualname__}")
    args = typing.get_args(hint)
    if type(None) in args:
        return (*(_spec_of(a) for a in args if a is not type(None)), None)
    if typing.get_origin(hint) is tuple:
        return ListOf(_spec_of(args[0])) if args[-1] is Ellipsis else Row(tuple(map(_spec_of, args)))
    return hint


def _import(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def build(settings: dict, target: str, where: str, **validate: Any) -> Any:
    """The config dataclass `target` (``"module:Class"``) from checked `settings`, validated
    (its ``validate`` given the keyword arguments `validate`).

    Raises:
        Corrupt: if its own checks (``validate``, or the constructor's) refuse a value.
    """
    cls = _import(target)
    try:
        config = cls.from_dict(settings) if hasattr(cls, "from_dict") else cls(**settings)
        if hasattr(config, "validate"):
            config.validate(**validate)
    except DyntoolsError as err:
        raise Corrupt(f"{where} is invalid ({err})") from None
    return config


# --- arrays -----------------------------------------------------------------------------------------


class Array(NamedTuple):
    """One expected array: dtype `kinds` (`FLOATING`, `INTEGER`, `ANY`) and `dims`, sizes by
    symbol (one size each) or ``"*NAME"`` (the rest of the shape, the same wherever it appears);
    ``("...",)`` is any shape."""

    kinds: str
    dims: tuple[str, ...]
    required: bool = True


class Header(NamedTuple):
    """An array as its file declares it, before any data is read."""

    shape: tuple[int, ...]
    dtype: np.dtype


def check_arrays(headers: dict[str, Header], expected: dict[str, Array], sizes: dict, where: str) -> None:
    """Raise `Corrupt` unless the arrays are those `expected` (patterns allowed as names), of
    their dtypes, with shapes bound consistently; `sizes` ({symbol: size}) is updated in place.

    Arguments:
        headers: {array name: Header}.
        expected: {array name or fnmatch pattern: Array}.
        sizes: sizes already known (from the config), by symbol.
        where: the file, for the message.
    """
    for name, spec in expected.items():
        if spec.required and name not in headers:
            raise Corrupt(f"{where} has no array '{name}'")
    for name, header in headers.items():
        spec = expected.get(name) or next((s for p, s in expected.items() if fnmatchcase(name, p)), None)
        if spec is None:
            raise Corrupt(f"{where} holds an unexpected array '{name}'")
        if header.dtype.kind not in spec.kinds:
            kinds = " or ".join(k for k, c in (("floating", "f"), ("integer", "i"), ("boolean", "b")) if c in spec.kinds)
            raise Corrupt(f"{where}: array '{name}' has dtype {header.dtype}, not {kinds}")
        _bind(name, header.shape, spec.dims, sizes, where)


def _bind(name: str, shape: tuple[int, ...], dims: tuple[str, ...], sizes: dict, where: str) -> None:
    if dims == ("...",):
        return
    if 0 in shape:  # no run saves an empty array
        raise Corrupt(f"{where}: array '{name}' has shape {list(shape)}, with an empty dimension")
    fixed = [d for d in dims if not d.startswith("*")]
    rest = len(shape) - len(fixed)
    if rest < 0 or (rest > 0 and len(fixed) == len(dims)) or (rest == 0 and len(fixed) < len(dims)):
        raise Corrupt(f"{where}: array '{name}' has shape {list(shape)}, not [{', '.join(dims)}]")
    found, i = {}, 0
    for dim in dims:
        found[dim], i = (tuple(shape[i:i + rest]), i + rest) if dim.startswith("*") else (shape[i], i + 1)
    for dim, size in found.items():
        if sizes.setdefault(dim, size) != size:
            raise Corrupt(f"{where}: array '{name}' has shape {list(shape)}; its {dim} should be {sizes[dim]}")


# --- safe reading ----------------------------------------------------------------------------------


def open_regular(path: Path) -> IO[bytes]:
    """Open `path` for reading if it is a regular file, never following a link nor blocking.

    Raises:
        Corrupt: if it is missing, a link, a FIFO, a device or a directory, or cannot be opened.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as err:
        what = "a symbolic link" if os.path.islink(path) else f"unreadable ({err.strerror})"
        raise Corrupt(f"{path.name} is {what}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Corrupt(f"{path.name} is not a regular file")
    return os.fdopen(fd, "rb")


def parse_json(data: bytes, what: str) -> Any:
    """JSON from `data`, refused (not parsed) when nested deeper than `MAX_DEPTH`.

    Raises:
        Corrupt: if `data` is not UTF-8 JSON or is nested too deeply.
    """
    depth = json_depth(data)
    if depth > MAX_DEPTH:
        raise Corrupt(f"{what} is nested {depth} levels deep (at most {MAX_DEPTH})")
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError as err:  # not UTF-8, not JSON, or an integer of more than 4300 digits
        raise Corrupt(f"{what} cannot be read ({err})") from None


def json_depth(data: bytes) -> int:
    """The deepest nesting of brackets in JSON text outside strings (a cheap scan, no parsing)."""
    codes = np.frombuffer(_STRINGS.sub(b'""', data), dtype=np.uint8)
    steps = np.isin(codes, (ord("["), ord("{"))).astype(np.int64) - np.isin(codes, (ord("]"), ord("}")))
    return int(np.cumsum(steps).max(initial=0))


def npz_headers(file: IO[bytes], where: str) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo], dict[str, Header]]:
    """The arrays of an ``.npz`` file as their headers declare them; no data is read.

    Every member must be an uncompressed ``.npy`` whose header declares exactly the bytes the
    member holds, so that reading it can take no more memory than the file's size.

    Returns:
        The open zip file, {array name: its member}, {array name: Header}.

    Raises:
        Corrupt: if the file is not a zip of such members.
    """
    try:
        archive = zipfile.ZipFile(file)
        members, headers = {}, {}
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if info.filename == name or info.compress_type != zipfile.ZIP_STORED:
                raise Corrupt(f"{where}: member '{info.filename}' is not an uncompressed .npy array")
            members[name], headers[name] = info, _npy_header(archive, info, where)
        return archive, members, headers
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise Corrupt(f"{where} cannot be read ({err})") from None


def _npy_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Header:
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(member, max_header_size=10_000)
        offset = member.tell()
    if dtype.hasobject:
        raise Corrupt(f"{where}: array '{info.filename[:-4]}' holds Python objects")
    if offset + math.prod(shape) * dtype.itemsize != info.file_size:
        raise Corrupt(f"{where}: array '{info.filename[:-4]}' declares shape {list(shape)} of {dtype}, "
                      f"{math.prod(shape) * dtype.itemsize} bytes, but holds {info.file_size - offset}")
    return Header(tuple(shape), dtype)


def read_npz(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], where: str) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file whose headers [`npz_headers`][dyntools.records.npz_headers] checked.

    Raises:
        Corrupt: if a member's data cannot be read (truncated, CRC error).
    """
    try:
        arrays = {}
        for name, info in members.items():
            with archive.open(info) as member:
                arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
        return arrays
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise Corrupt(f"{where} cannot be read ({err})") from None


# --- the schema ------------------------------------------------------------------------------------

SIMULATION = "dyntools.simulations.config:SimulationConfig"
TASK = "dyntools.inputs.spec:TaskSpec"
SHAPE = ListOf(int)  # a task's grid: (N,) or (L, L)
RECORD = Keys({"command": str, "version": str, "created": str, "seed": (int, None), "config": dict,
               "summary": dict, "files": ListOf(str)}, {"non_finite": ListOf(str)}, open=False)
MARGINAL = Keys({"family": str, "parameter_name": (str, None), "parameter": (float, None), "excess_kurtosis": float})
TASK_DESCRIPTION = Keys({**MARGINAL.required, "shape": SHAPE}, {"xi": ListOf(float), "clone_of": (MARGINAL, None)})
"""A task as runs describe it (`TwoClassTask.describe`): what figure titles read."""


class Command(NamedTuple):
    """What a command's run holds.

    Attributes:
        config: the spec of the record's ``config``.
        summary: the spec of the record's ``summary``.
        files: {array file: {array name or pattern: Array}} (a sweep's ``sweep.nc``: its
            variables, see [`sweep_variables`][dyntools.records.sweep_variables]).
        sizes: the sizes the record implies, by symbol (raises `Corrupt` for an inconsistent
            record); also checks what the specs cannot say.
        consistent: raises `Corrupt` unless the record agrees with the arrays' headers
            ({file: {array name: Header}}).
    """

    config: Any
    summary: Any
    files: dict[str, dict[str, Array] | None]
    sizes: Callable[[dict], dict]
    consistent: Callable[[dict, dict], None] = lambda record, headers: None


def _grid(shape: list, pixels: int, where: str) -> tuple[int, ...]:
    """A task's grid, checked: one or two positive sides holding `pixels` pixels."""
    if len(shape) not in (1, 2) or min(shape) < 1 or math.prod(shape) != pixels:
        raise Corrupt(f"config.task.shape {shape} is not a grid of the {pixels} pixels of {where}")
    return tuple(shape)


def _simulate_sizes(record: dict) -> dict:
    config = build(record["config"]["simulation"], SIMULATION, "config.simulation")
    shape = _grid(record["config"]["task"]["shape"], config.n_pixels, "config.simulation")
    return {"S": 1 if config.trainer == "flow" else config.seeds, "T": min(config.saves, config.steps) + 1,
            "K": config.neurons, "N": config.n_pixels, "*grid": shape}


def _baseline_sizes(record: dict) -> dict:
    build(record["config"]["baseline"], "dyntools.baselines.run:BaselineConfig", "config.baseline")
    inputs, atoms = record["config"]["inputs"], record["summary"]["atoms"]
    if inputs and "patch_size" not in inputs:  # the task's inputs (a description); else image patches
        check(inputs, TASK_DESCRIPTION, "config.inputs")
    shape = inputs["shape"] if "shape" in inputs else [inputs["patch_size"]] * 2 if "patch_size" in inputs else []
    if atoms < 1 or min(shape, default=1) < 1 or ("shape" in inputs and len(shape) not in (1, 2)):
        raise Corrupt(f"summary.atoms ({atoms}) is not positive or config.inputs' shape {shape} is not a grid")
    return {"M": atoms, **({"N": math.prod(shape)} if shape else {})}


def _inputs_sizes(record: dict) -> dict:
    config = record["config"]
    shape = config["task"]["shape"]
    if "spec" in config:
        shape = _grid(shape, build(config["spec"], TASK, "config.spec").n_pixels, "config.spec")
    elif "options" in config:
        _check_options(config["options"])
        shape = _grid(shape, math.prod(shape), "config.options")
    else:
        raise Corrupt("config has neither 'spec' nor 'options' (the task)")
    if config["samples"] < 1:
        raise Corrupt(f"config.samples is {config['samples']}, not positive")
    return {"n": config["samples"], "*grid": shape}


def _check_options(options: dict) -> None:
    """The task options of a dyntools 0.x inputs record: `build_task`'s keyword arguments then."""
    from .inputs.spec import LEGACY_OPTIONS

    unknown = sorted(set(options) - set(LEGACY_OPTIONS))
    if unknown:
        raise Corrupt(f"config.options has an unknown key '{unknown[0]}'")


def _sweep_sizes(record: dict) -> dict:
    return _sweep_config(record["config"], "config")


def _sweep_config(config: dict, where: str) -> dict:
    """Check a sweep's config (record or dataset attribute); its dimension sizes by name."""
    from .simulations.sweep import Grid, dataset_dim

    base = build(config["base"], SIMULATION, f"{where}.base", network=not config["theory_only"])
    try:
        grid = Grid(config["grid"])
    except DyntoolsError as err:
        raise Corrupt(f"{where}.grid is invalid ({err})") from None
    sizes = {dataset_dim(name): len(values) for name, values in grid.axes}
    return {**sizes, "time": min(base.saves, base.steps) + 1, "bound": 2,
            **({} if config["theory_only"] else {"seed": base.seeds})}


def sweep_variables(config: dict) -> dict[str, Array]:
    """The variables of a sweep's ``sweep.nc`` (dimension names as dims), from its checked config."""
    from .simulations.sweep import KURTOSIS_AXES, dataset_dim

    axes = tuple(dataset_dim(name) for name in config["grid"])
    others = tuple(dataset_dim(name) for name in config["grid"] if name not in KURTOSIS_AXES)
    critical = any(name in KURTOSIS_AXES for name in config["grid"])
    network = not config["theory_only"]
    return {"excess_kurtosis": Array(FLOATING, axes), "parameter": Array(FLOATING, axes),
            "t": Array(FLOATING, (*axes, "time")), "ipr_theory_t": Array(FLOATING, (*axes, "time")),
            "ipr_theory": Array(FLOATING, axes),
            "ipr_sim_t": Array(FLOATING, (*axes, "seed", "time"), network),
            "ipr_sim": Array(FLOATING, (*axes, "seed"), network),
            "cosine_final": Array(FLOATING, axes, network), "agreement_time": Array(FLOATING, axes, network),
            "critical_excess_kurtosis_theory": Array(FLOATING, others, critical),
            "critical_excess_kurtosis_network": Array(FLOATING, others, critical and network),
            "critical_excess_kurtosis_network_interval": Array(FLOATING, (*others, "bound"), critical and network)}


def _localization_map_sizes(record: dict) -> dict:
    config, table = record["config"], record["summary"]
    if "task" in config:
        check(config, Fields("dyntools.experiments.localization_map:LocalizationMapConfig"), "config")
        build(config, "dyntools.experiments.localization_map:LocalizationMapConfig", "config")
    else:  # dyntools 0.x: the task's fields flat
        check(config, Keys({"n_dims": int}), "config")
    points = len(table["excess_kurtosis"])
    lengths = {len(values) for values in [*table["median_ipr"].values(), *table.get("spread", {}).values(),
                                          config.get("kurtosis", table["excess_kurtosis"]), table.get("family", [0] * points)]}
    if points < 1 or lengths != {points} or any(len(pair) != 2 for v in table.get("spread", {}).values() for pair in v):
        raise Corrupt("summary.excess_kurtosis, median_ipr, spread, family and config.kurtosis differ in length "
                      "or are empty")
    if config.get("n_dims", 1) < 1:
        raise Corrupt(f"config.n_dims is {config['n_dims']}, not positive")
    return {"P": points}


def _simulate_theory(record: dict, headers: dict[str, dict[str, Header]]) -> None:
    """A simulate run's theory: its arrays all or none, and then its amplifier and final IPR in the
    summary (without ``summary.theory`` a reader drops the theory's entries)."""
    theory = {"w_theory", "ipr_theory", "cosine"} & set(headers["trajectories.npz"])
    summary = record["summary"]
    if theory and (len(theory) < 3 or not isinstance(summary.get("theory"), dict)
                   or not _matches(summary.get("ipr_theory_final"), float)):
        raise Corrupt("trajectories.npz holds part of a theory (w_theory, ipr_theory, cosine), or summary.theory "
                      "is not the amplifier's description or summary.ipr_theory_final not a number")


COMMANDS: dict[str, Command] = {
    "simulate": Command(
        Keys({"simulation": Fields(SIMULATION), "task": TASK_DESCRIPTION}),
        Keys({"family": str, "parameter_name": (str, None), "parameter": (float, None), "excess_kurtosis": float,
              "neurons": int, "ipr_random": float, "ipr_localized_threshold": float, "ipr_sim_final_mean": float},
             {"ipr_theory_final": (float, None), "clone_of": (MARGINAL, None), "network": str}),
        {"trajectories.npz": {"t": Array(FLOATING, ("T",)), "w_sim": Array(FLOATING, ("S", "T", "K", "N")),
                              "ipr_sim": Array(FLOATING, ("S", "T", "K")), "sigma0": Array(FLOATING, ("*grid",)),
                              "sigma1": Array(FLOATING, ("*grid",)),
                              "w_theory": Array(FLOATING, ("T", "K", "N"), False),
                              "ipr_theory": Array(FLOATING, ("T", "K"), False),
                              "cosine": Array(FLOATING, ("S", "T", "K"), False),
                              "*_sim": Array(FLOATING, ("S", "T", "K"), False)}},
        _simulate_sizes, _simulate_theory),
    "baseline": Command(
        Keys({"baseline": Fields("dyntools.baselines.run:BaselineConfig"),
              "inputs": Keys({}, {"shape": SHAPE, "patch_size": int})}),
        Keys({"atoms": int, "ipr_median": float}, {"lambda": (float, None)}),
        {"dictionary.npz": {"atoms": Array(FLOATING, ("M", "N")), "filters": Array(FLOATING, ("M", "N"), False),
                            "pca_atoms": Array(FLOATING, ("P", "N"), False),
                            "pca_gabor_*": Array(FLOATING, ("P",), False), "gabor_*": Array(FLOATING, ("M",), False)}},
        _baseline_sizes),
    "inputs": Command(
        Keys({"samples": int, "task": TASK_DESCRIPTION}, {"spec": Fields(TASK), "options": dict}),
        dict,
        {"samples.npz": {"x": Array(FLOATING, ("n", "*grid")), "y": Array(INTEGER, ("n",))}},
        _inputs_sizes),
    "sweep": Command(
        Keys({"base": Fields(SIMULATION), "grid": DictOf(ListOf(float)), "theory_only": bool}, open=False),
        Keys({"axes": DictOf(ListOf(float))}),
        {"sweep.nc": None},
        _sweep_sizes),
    "localization-map": Command(
        dict,
        Keys({"excess_kurtosis": ListOf(float), "median_ipr": DictOf(ListOf(float))},
             {"family": ListOf(str), "spread": DictOf(ListOf(ListOf(float)))}),
        {"localization_map.npz": {"excess_kurtosis": Array(FLOATING, ("P",)), "*": Array(FLOATING, ("P",), False)}},
        _localization_map_sizes),
}
REPRODUCTION = Command(dict, dict, {"arrays.npz": {"*": Array(ANY, ("...",), False)}}, lambda record: {})


def command_schema(command: str) -> Command:
    """The schema of a command's runs (``reproduce NAME`` for every reproduction).

    Raises:
        Corrupt: for a command that writes no runs.
    """
    if command.startswith("reproduce "):
        from .experiments import REPRODUCTIONS

        if command.split(" ", 1)[1] in REPRODUCTIONS:
            return REPRODUCTION
    if command in COMMANDS:
        return COMMANDS[command]
    raise Corrupt(f"its command '{command}' writes no runs")


# --- runs ------------------------------------------------------------------------------------------


def read_record(directory: Path, command: str | None = None) -> dict:
    """A run's ``run.json``, checked against `RECORD` and its command's config and summary specs,
    with its non-finite numbers restored.

    Raises:
        Corrupt: for a record that is not one of a run.
        DyntoolsError: for a record of another command than `command` (if given).
    """
    from .runs import NON_FINITE, restore_non_finite

    with open_regular(directory / RECORD_FILE) as file:
        record = parse_json(file.read(), RECORD_FILE)
    check(record, RECORD, RECORD_FILE)
    if command is not None and record["command"] != command:
        raise DyntoolsError(f"{directory} holds a '{record['command']}' run, not a {command} run")
    try:
        restore_non_finite(record)
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise Corrupt(f"its {NON_FINITE} list does not match the record ({err!r})") from None
    check(record, RECORD, RECORD_FILE)  # a non_finite entry may have replaced a key's value
    schema = command_schema(record["command"])
    check(record["config"], schema.config, "config")
    check(record["summary"], schema.summary, "summary")
    return record


def array_files(directory: Path, schema: Command) -> list[str]:
    """The run's array files (``.npz``, ``.nc``): exactly those its command writes.

    Raises:
        Corrupt: for a missing or an unexpected array file.
    """
    found = sorted(name for name in os.listdir(directory) if name.endswith((".npz", ".nc")))
    unexpected = sorted(set(found) - set(schema.files))
    missing = sorted(set(schema.files) - set(found))
    if unexpected or missing:
        raise Corrupt(f"it holds an unexpected array file {unexpected[0]}" if unexpected else f"it has no {missing[0]}")
    return found


def check_run(directory: Path | str, command: str | None = None) -> tuple[dict, dict[str, dict[str, Header]]]:
    """A run's record and its array files' headers, all checked; no array data is read.

    Arguments:
        directory: a finished run directory.
        command: the command the run must be from, or None for any.

    Returns:
        record: the parsed ``run.json``, non-finite numbers restored.
        headers: {file name: {array or variable name: Header}}.

    Raises:
        DyntoolsError: ``"<directory> is a corrupt run: <what>"``, or a run of another command.
    """
    with _reading(directory):
        record, opened = _check(Path(directory), command)
        for reader, _ in opened.values():
            reader.close()
        return record, {name: headers for name, (_, headers) in opened.items()}


def read_run(directory: Path | str, command: str | None = None) -> tuple[dict, dict]:
    """A run's record and arrays, all checked before any array data is read.

    Arguments:
        directory: a finished run directory.
        command: the command the run must be from, or None for any.

    Returns:
        record: the parsed ``run.json``, non-finite numbers restored.
        arrays: {file stem: {array name: array}} per ``.npz`` file, {file stem: loaded xarray
            Dataset} per ``.nc`` file.

    Raises:
        DyntoolsError: ``"<directory> is a corrupt run: <what>"``, or a run of another command.
    """
    with _reading(directory):
        record, opened = _check(Path(directory), command)
        arrays = {}
        try:
            for name, (reader, _) in opened.items():
                arrays[Path(name).stem] = reader.read()
        finally:
            for reader, _ in opened.values():
                reader.close()
        return record, arrays


@contextmanager
def _reading(directory: Path | str) -> Iterator[None]:
    """Turn `Corrupt` raised while reading `directory` into the one-line corrupt-run error."""
    try:
        yield
    except Corrupt as err:
        raise corrupt(directory, str(err)) from None


def _check(directory: Path, command: str | None) -> tuple[dict, dict]:
    """The checked record, and per array file (its open reader, its headers)."""
    from .runs import is_finished

    if not is_finished(directory):
        raise DyntoolsError(f"{directory} is not a finished dyntools run (no {RECORD_FILE})")
    record = read_record(directory, command)
    schema = command_schema(record["command"])
    sizes = schema.sizes(record)
    opened = {}
    try:
        for name in array_files(directory, schema):
            opened[name] = _open_checked(directory / name, schema.files[name], sizes, record["config"])
        schema.consistent(record, {name: headers for name, (_, headers) in opened.items()})
    except BaseException:
        for reader, _ in opened.values():
            reader.close()
        raise
    return record, opened


def _open_checked(path: Path, expected: dict | None, sizes: dict, config: dict) -> tuple[Any, dict[str, Header]]:
    """An array file, opened and its headers checked: (its reader, {name: Header})."""
    file = open_regular(path)
    try:
        if path.suffix == ".nc":
            dataset = open_dataset(file, path.name)
            return _Nc(dataset, file, path.name), check_dataset(dataset, config, sizes, path.name)
        archive, members, headers = npz_headers(file, path.name)
        check_arrays(headers, expected, dict(sizes), path.name)
        return _Npz(archive, members, file, path.name), headers
    except BaseException:
        file.close()
        raise


class _Npz(NamedTuple):
    """An open ``.npz`` file whose headers were checked."""

    archive: zipfile.ZipFile
    members: dict[str, zipfile.ZipInfo]
    file: IO[bytes]
    name: str

    def read(self) -> dict[str, np.ndarray]:
        """{array name: array}."""
        return read_npz(self.archive, self.members, self.name)

    def close(self) -> None:
        """Close the zip file and the file under it."""
        self.archive.close()
        self.file.close()


class _Nc(NamedTuple):
    """An open ``.nc`` file whose variables were checked."""

    dataset: Any
    file: IO[bytes]
    name: str

    def read(self) -> Any:
        """The Dataset, loaded into memory."""
        return load(self.dataset, self.name)

    def close(self) -> None:
        """Close the Dataset and the file under it."""
        self.dataset.close()
        self.file.close()


# --- a sweep's dataset ---------------------------------------------------------------------------


def open_dataset(file: IO[bytes], where: str) -> Any:
    """A saved xarray Dataset (HDF5-based netCDF), opened lazily: no data is read yet.

    Raises:
        Corrupt: if the file is not one.
    """
    import xarray as xr

    try:
        return xr.open_dataset(file, engine="h5netcdf")
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        raise Corrupt(f"{where} cannot be read ({err})") from None


def check_dataset(dataset: Any, config: dict | None, sizes: dict, where: str) -> dict[str, Header]:
    """Raise `Corrupt` unless `dataset` holds a sweep's variables (see
    [`sweep_variables`][dyntools.records.sweep_variables]) with the dims and sizes its config implies.

    Arguments:
        dataset: the lazily opened Dataset.
        config: the sweep's config from its record, or None to take the dataset's own ``config``
            attribute (which is checked in any case: figures read it).
        sizes: the dimension sizes the record implies (empty without a record).
        where: the file, for the message.

    Returns:
        {variable name: Header}.
    """
    attribute = dataset.attrs.get("config")
    if not isinstance(attribute, str):
        raise Corrupt(f"{where} has no config attribute")
    own = parse_json(attribute.encode("utf-8", "replace"), f"{where}'s config attribute")
    check(own, COMMANDS["sweep"].config, f"{where}'s config attribute")
    sizes = {**_sweep_config(own, f"{where}'s config attribute"), **sizes}
    expected = sweep_variables(config or own)
    headers = {name: Header(tuple(var.shape), var.dtype) for name, var in dataset.data_vars.items()}
    check_arrays(headers, expected, sizes, where)
    for name, var in dataset.data_vars.items():
        if tuple(var.dims) != expected[name].dims:
            raise Corrupt(f"{where}: variable '{name}' has dims {list(var.dims)}, not {list(expected[name].dims)}")
    return headers


def load(dataset: Any, where: str) -> Any:
    """A checked Dataset, loaded into memory.

    Raises:
        Corrupt: if its data cannot be read.
    """
    try:
        return dataset.load()
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        raise Corrupt(f"{where} cannot be read ({err})") from None


def read_dataset(path: Path | str) -> Any:
    """A sweep's ``sweep.nc`` on its own, checked (see `check_dataset`) and loaded into memory.

    Raises:
        DyntoolsError: ``"<its directory> is a corrupt run: <what>"``.
    """
    path = Path(path)
    with _reading(path.parent), open_regular(path) as file, open_dataset(file, path.name) as dataset:
        check_dataset(dataset, None, {}, path.name)
        return load(dataset, path.name)
