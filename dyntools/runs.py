"""Run records: a directory with ``run.json`` (config, package version, seed, summary) and
``.npz`` arrays. A run is *finished* when its ``run.json`` exists. Everything is written into
a temporary sibling directory first and renamed into place, so a crash or a bad argument never
leaves half a run, and a finished run is never replaced unless ``force`` is given.

Staging directories carry an owner file (host and process id). A run killed outright (kill -9,
power loss) cannot clean up after itself, so every later run into the same parent directory
removes the staging directories whose owner process is gone.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import shutil
import socket
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import DyntoolsError

if TYPE_CHECKING:
    import xarray as xr

RECORD = "run.json"
OWNER = ".dyntools-owner"  # in staging directories: "host pid"
NON_FINITE = "non_finite"  # record key listing the values written as null


def package_version() -> str:
    """The installed version of `dyntools`, as recorded in every run.

    Returns:
        The version string, or `"0+unknown"` when running from a source tree that is not installed.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dyntools")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def is_finished(path: Path | str) -> bool:
    """Whether `path` is a finished run, i.e. holds a `run.json`.

    Arguments:
        path: a run directory.

    Returns:
        True if `path/run.json` is a file.
    """
    return (Path(path) / RECORD).is_file()


def check_writable(path: Path | str, force: bool) -> Path:
    """Fail early (before any work) if a run cannot be written to `path`. Creates nothing.

    Arguments:
        path: the run directory to be written.
        force: whether a finished run there may be replaced.

    Returns:
        `path` as a `Path`.

    Raises:
        DyntoolsError: if `path` is a file, holds a finished run and `force` is off, or cannot be
            created (see [`check_creatable`][dyntools.runs.check_creatable]).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise DyntoolsError(f"{path} exists and is not a directory")
    if is_finished(path) and not force:
        raise DyntoolsError(f"{path} already holds a finished run; pass force to overwrite it", arguments=("force",))
    check_creatable(path)
    return path


def check_creatable(path: Path | str) -> None:
    """Raise a one-line error unless `path` (and its missing parents) could be created.

    Probes the nearest existing ancestor with a temporary directory, removed at once.

    Arguments:
        path: a file or directory to be created.

    Raises:
        DyntoolsError: if the nearest existing ancestor is not a directory or not writable.
    """
    ancestor = Path(path).absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise DyntoolsError(f"cannot write {path}: {ancestor} is not a directory")
    try:
        tempfile.TemporaryDirectory(prefix=".dyntools-probe.", dir=ancestor).cleanup()
    except OSError as err:
        raise DyntoolsError(f"cannot write {path}: {ancestor} is not writable ({err.strerror})") from None


def jsonable(obj: Any, non_finite: list | None = None, where: str = "") -> Any:
    """Convert to plain JSON types, recursively; non-finite floats become None (JSON null).

    Dict keys become strings, tuples and NumPy arrays lists, NumPy scalars Python ones; other
    objects are returned unchanged.

    Arguments:
        obj: a value, possibly nested dicts, lists, tuples, NumPy arrays and scalars.
        non_finite: if a list, `"key.path: value"` is appended for every non-finite float, so
            that a record can say which values they were.
        where: the key path of `obj` itself (used in those entries).

    Returns:
        The converted value.
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v, non_finite, f"{where}.{k}" if where else str(k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, non_finite, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist(), non_finite, where)
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        if math.isfinite(x):
            return x
        if non_finite is not None:
            non_finite.append(f"{where}: {x}")
        return None
    return obj


def strict_json(obj: dict, **dumps: Any) -> str:
    """`obj` as strict JSON (no NaN/Infinity tokens).

    Non-finite numbers are written as null, and a key `non_finite` lists where they were and
    what they were (e.g. `"summary.kurtosis: inf"`).

    Arguments:
        obj: the dict to serialize (see [`jsonable`][dyntools.runs.jsonable]).
        **dumps: keyword arguments of `json.dumps` (e.g. `indent`).

    Returns:
        The JSON text.
    """
    found: list[str] = []
    clean = jsonable(obj, found)
    if found:
        clean[NON_FINITE] = found
    return json.dumps(clean, allow_nan=False, **dumps)


def restore_non_finite(record: dict) -> dict:
    """Put back, in place, the non-finite numbers that strict JSON wrote as null, from the
    record's `non_finite` list (see [`strict_json`][dyntools.runs.strict_json]).

    Arguments:
        record: a record read from JSON.

    Returns:
        The same record, with e.g. `summary.excess_kurtosis` inf again instead of None.
    """
    for entry in record.get(NON_FINITE, []):
        path, _, value = entry.rpartition(": ")
        keys = [int(index) if index else key for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)]
        target = record
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = float(value)
    return record


def remove_stale_stages(parent: Path) -> list[Path]:
    """Remove the staging directories under `parent` whose owner process (on this host) is gone.

    A run that a killed forced replacement had set aside (and not yet replaced) is put back
    first. Staging directories owned by another host are left alone.

    Arguments:
        parent: the directory whose hidden staging directories are checked.

    Returns:
        The staging directories removed.
    """
    removed = []
    for owner in Path(parent).glob(f".*/{OWNER}"):
        stage = owner.parent
        if _owner_alive(owner):
            continue
        _restore_replaced_run(stage)
        shutil.rmtree(stage, ignore_errors=True)
        removed.append(stage)
    return removed


def _owner_alive(owner: Path) -> bool:
    try:
        host, pid = owner.read_text().split()
        pid = int(pid)
    except (OSError, ValueError):
        return False  # unreadable or half-written marker: its writer died while creating it
    if host != socket.gethostname():
        return True  # another machine's (shared file system): not ours to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _restore_replaced_run(stage: Path) -> None:
    """A kill between the two renames of a forced replacement leaves the old run in the trash
    directory and nothing at its path: put it back."""
    old = stage / "run"
    target = stage.parent / stage.name[1:].split(".old.")[0]
    if ".old." in stage.name and is_finished(old) and not target.exists():
        os.replace(old, target)


def _make_stage(parent: Path, name: str) -> Path:
    stage = Path(tempfile.mkdtemp(prefix=f".{name}", dir=parent))
    (stage / OWNER).write_text(f"{socket.gethostname()} {os.getpid()}\n")
    return stage


@contextmanager
def staged_run(path: Path | str, force: bool = False) -> Iterator[Path]:
    """Yield a temporary directory; on success it replaces `path` atomically.

    Write arrays and figures into the yielded directory and call
    [`write_record`][dyntools.runs.write_record] last. On any exception (Ctrl-C included) the
    staging directory is removed and `path` is left untouched. Stale staging directories of dead
    processes in the same parent are removed first.

    Arguments:
        path: the run directory to write.
        force: replace a finished run at `path`.

    Yields:
        The staging directory, a hidden sibling of `path`.

    Raises:
        DyntoolsError: if `path` cannot be written (see [`check_writable`][dyntools.runs.check_writable]).
        RuntimeError: if the block ends without a record having been written.
    """
    path = check_writable(path, force)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_stages(path.parent)
        stage = _make_stage(path.parent, f"{path.name}.")
    except OSError as err:
        raise DyntoolsError(f"cannot write {path}: {err.strerror}") from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private; a run is an ordinary directory
    try:
        yield stage
        if not is_finished(stage):
            raise RuntimeError("staged run has no record; call write_record last")
        if path.exists():
            trash = _make_stage(path.parent, f"{path.name}.old.")
            os.replace(path, trash / "run")
            os.replace(stage, path)
            shutil.rmtree(trash)
        else:
            os.replace(stage, path)
        (path / OWNER).unlink()
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def write_record(directory: Path, command: str, config: dict, summary: dict, seed: int | None) -> dict:
    """Write `run.json` into `directory` (atomically): the step that marks a run finished.

    The record holds the command, package version, UTC creation time, seed, config, summary and
    the names of the files already in `directory`; it is strict JSON (see
    [`strict_json`][dyntools.runs.strict_json]).

    Arguments:
        directory: the (staging) run directory.
        command: the CLI command that made the run, e.g. `"simulate"`.
        config: the run's settings.
        summary: the run's results.
        seed: the run's seed, or None.

    Returns:
        The record as written (non-finite numbers as None).
    """
    record = {
        "command": command,
        "version": package_version(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "seed": seed,
        "config": config,
        "summary": summary,
        "files": sorted(p.name for p in Path(directory).iterdir() if p.name != OWNER),
    }
    text = strict_json(record, indent=2)
    tmp = Path(directory) / (RECORD + ".tmp")
    tmp.write_text(text + "\n")
    os.replace(tmp, Path(directory) / RECORD)
    return json.loads(text)


def save_arrays(directory: Path, name: str, **arrays: Any) -> None:
    """Save arrays into an uncompressed `.npz` file in `directory`.

    Arguments:
        directory: the (staging) run directory.
        name: the file name (`.npz` is appended if missing).
        **arrays: the arrays (anything `np.asarray` accepts), by name.
    """
    np.savez(Path(directory) / name, **{k: np.asarray(v) for k, v in arrays.items()})


def load_run(path: Path | str, command: str | None = None) -> tuple[dict, dict]:
    """Read a finished run: its record and every array file.

    Arguments:
        path: a finished run directory.
        command: the command the run must be from (e.g. ``"simulate"``), or None for any.

    Returns:
        record: the parsed `run.json`.
        arrays: {file stem: {array name: array}} for each `.npz` file, and {file stem: xarray
            Dataset} for each `.nc` file.

    Raises:
        DyntoolsError: if `path` is not a finished run (of ``command``), or (in one line) if its
            record or an array file cannot be read.
    """
    path = Path(path)
    if not is_finished(path):
        raise DyntoolsError(f"{path} is not a finished dyntools run (no {RECORD})")
    try:
        record = json.loads((path / RECORD).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DyntoolsError(f"{path} is a corrupt run: {RECORD} cannot be read ({err})") from None
    if not isinstance(record, dict) or not {"command", "summary"} <= set(record):
        raise DyntoolsError(f"{path} is a corrupt run: {RECORD} is not a dyntools record")
    if command is not None and record["command"] != command:
        raise DyntoolsError(f"{path} holds a '{record['command']}' run, not a {command} run")
    try:
        restore_non_finite(record)
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise DyntoolsError(f"{path} is a corrupt run: its {NON_FINITE} list does not match the record ({err})") from None
    arrays = {}
    for npz in sorted(path.glob("*.npz")):
        try:
            with np.load(npz) as data:
                arrays[npz.stem] = {k: data[k] for k in data.files}
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as err:
            raise DyntoolsError(f"{path} is a corrupt run: {npz.name} cannot be read ({err})") from None
    for nc in sorted(path.glob("*.nc")):
        arrays[nc.stem] = load_dataset(nc)
    return record, arrays


def load_dataset(path: Path | str) -> xr.Dataset:
    """A saved xarray Dataset (e.g. a sweep's `sweep.nc`), read into memory.

    Arguments:
        path: the `.nc` file (HDF5-based netCDF).

    Returns:
        The Dataset, loaded (the file is closed).

    Raises:
        DyntoolsError: if the file cannot be read (reported as a corrupt run).
    """
    import xarray as xr

    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return ds.load()
    except (OSError, ValueError) as err:
        raise DyntoolsError(f"{Path(path).parent} is a corrupt run: {Path(path).name} cannot be read ({err})") from None
