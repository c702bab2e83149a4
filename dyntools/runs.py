"""Run records: a directory with ``run.json`` (config, package version, seed, summary) and
``.npz`` arrays. A run is *finished* when its ``run.json`` exists.

How a run is written, so that no run ever destroys data (docs/runs.md says the same):

- [`reserve`][dyntools.runs.reserve] checks the destination before any work and holds it for
  the process: a lock file ``.NAME.dyntools-lock`` beside it, locked with ``flock`` (the kernel
  releases it when the process ends, however it ends). A second run into the same place is
  refused at once.
- A destination is written only if it does not exist, is an empty directory, or holds a
  finished run and nothing else (its record lists every file it wrote) and ``force`` is given.
  A directory holding anything else is never replaced, with or without ``force``.
- [`staged_run`][dyntools.runs.staged_run] writes into a hidden staging sibling and renames it
  into place, after checking the destination again under the lock.
- Every file is written through [`atomic_write`][dyntools.files.atomic_write]: a temporary file
  created exclusively (``O_EXCL``) beside its target, never through a link, then renamed.

Staging directories carry an owner file (host and process id). A run killed outright (kill -9,
power loss) cannot clean up after itself, so every later run into the same parent directory
removes the staging directories whose owner process is gone.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import math
import os
import re
import secrets
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import DyntoolsError
from .files import FIGURE_SUFFIXES, atomic_write, umask, uninterrupted

if TYPE_CHECKING:
    import xarray as xr

RECORD = "run.json"
OWNER = ".dyntools-owner"  # in staging directories: "host pid"
LOCK = ".dyntools-lock"  # suffix of the lock file beside a run being written: .NAME.dyntools-lock
STAGE, TRASH = ".stage-", ".old-"  # hidden siblings .NAME.stage-XXXXXXXX (a run being written), .NAME.old-XXXXXXXX
NON_FINITE = "non_finite"  # record key listing the values written as null
LATEST = "latest"  # in runs/COMMAND: a link to the newest run there
NAME_SLACK = 32  # bytes the hidden siblings add to a run's name (".NAME.sweep-points", ".NAME.stage-XXXXXXXX")
_reserved: set[str] = set()  # run directories this process holds (absolute paths)


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

    A run is written only where nothing is lost: a new directory, an empty one, or (with
    `force`) one that holds a finished run and nothing else.

    Arguments:
        path: the run directory to be written.
        force: whether a finished run there may be replaced.

    Returns:
        `path` as a `Path`.

    Raises:
        DyntoolsError: if `path` is not a name a run can take (``.``, ``..``, ``/``, the
            current directory or one above it, a name too long for its staging siblings), is
            a link or a file, holds anything but a finished run, holds a finished run and
            `force` is off, or cannot be created (see
            [`check_creatable`][dyntools.runs.check_creatable]).
    """
    path = Path(path)
    _check_name(path)
    if path.is_symlink():
        raise DyntoolsError(f"{path} is a symbolic link; give the directory itself")
    if path.exists() and not path.is_dir():
        raise DyntoolsError(f"{path} exists and is not a directory")
    if path.is_dir():
        _check_replaceable(path, force)
    check_creatable(path)
    return path


def _check_name(path: Path) -> None:
    absolute = Path(os.path.abspath(path))
    if path.name in ("", "..") or absolute == Path(absolute.anchor):
        raise DyntoolsError(f"cannot write a run to '{path}': name a new directory (not '.', '..' or '/')")
    if absolute == Path.cwd() or absolute in Path.cwd().parents:
        raise DyntoolsError(f"cannot write a run to '{path}': it is the current directory or one above it; "
                            "name a new directory")
    limit = _name_max(absolute.parent) - NAME_SLACK
    if len(os.fsencode(path.name)) > limit:
        raise DyntoolsError(f"the run directory's name is {len(os.fsencode(path.name))} bytes long; at most {limit} "
                            f"(the file system's limit less {NAME_SLACK} for its staging siblings)")


def _name_max(directory: Path) -> int:
    while not directory.exists():
        directory = directory.parent
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _check_replaceable(path: Path, force: bool) -> None:
    """Raise unless the existing directory `path` is empty, or a finished run alone and `force`."""
    try:
        entries = set(os.listdir(path))
    except OSError as err:
        raise DyntoolsError(f"cannot write {path}: {err.strerror}") from None
    if not entries:
        return
    own = run_files(path) if is_finished(path) else set()
    foreign = sorted(name for name in entries if name not in own or not _regular_file(path / name))
    if foreign:
        shown = ", ".join(repr(name) for name in foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        what = "a finished run and other files" if is_finished(path) else "files that are not a dyntools run"
        raise DyntoolsError(f"{path} holds {what} ({shown}); a run is written only into a new or empty directory, "
                            "or over a finished run and nothing else, so choose another directory")
    if not force:
        raise DyntoolsError(f"{path} already holds a finished run; pass force to overwrite it", arguments=("force",))


def _regular_file(path: Path) -> bool:
    """A plain file (a run holds nothing else: no folder, no link)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def run_files(path: Path | str) -> set[str]:
    """The names of the files a finished run wrote: those its record lists.

    Records list every file, ``run.json`` included; records of dyntools 0.x listed only the
    arrays, and their figures (``.png``, ``.pdf``, ``.svg``) count as theirs too. A record that
    cannot be read owns nothing but itself.

    Arguments:
        path: a finished run directory.

    Returns:
        The file names, always including ``run.json``.
    """
    path = Path(path)
    try:
        files = json.loads((path / RECORD).read_text()).get("files")
    except (OSError, ValueError, AttributeError, RecursionError):
        files = None
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        return {RECORD}
    own = {RECORD, OWNER, *files}
    if RECORD not in files:  # a 0.x record: written before its figures
        own |= {name for name in os.listdir(path) if name.endswith(FIGURE_SUFFIXES)}
    return own


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
        with uninterrupted():  # an interrupt inside the probe's clean-up would turn into a false error
            tempfile.TemporaryDirectory(prefix=".dyntools-probe.", dir=ancestor).cleanup()
    except OSError as err:
        raise DyntoolsError(f"cannot write {path}: {ancestor} is not writable ({err.strerror})") from None


@contextmanager
def reserve(path: Path | str, force: bool = False) -> Iterator[Path]:
    """Check `path` (see [`check_writable`][dyntools.runs.check_writable]) and hold it for this
    process until the block ends: a second run into `path` is refused meanwhile.

    Wrap a command's whole work in it, so that a conflict is found before any work. Parent
    directories it creates are removed again if the block leaves them empty. Re-entrant: a
    path this process already holds is simply yielded.

    Arguments:
        path: the run directory to be written.
        force: whether a finished run there may be replaced.

    Yields:
        `path` as a `Path`.

    Raises:
        DyntoolsError: if `path` cannot be written, or another process holds it.
    """
    path = check_writable(path, force)
    key = os.path.abspath(path)
    if key in _reserved:
        yield path
        return
    created = _make_parents(path.parent)
    try:
        with _locked(path):
            check_writable(path, force)  # again, now that no other run can write it
            _reserved.add(key)
            try:
                yield path
            finally:
                _reserved.discard(key)
    finally:
        _remove_if_empty(created)


@contextmanager
def reserve_new(root: Path | str) -> Iterator[Path]:
    """A new run directory under `root`, held like [`reserve`][dyntools.runs.reserve]: named by
    the UTC time it starts (``2026-12-04_21-05-03``; ``-2``, ``-3``, ... when taken) and created
    at once, so that runs started together each get their own.

    When the block leaves a finished run there, ``root/latest`` points at it (a symbolic link);
    otherwise the directory is removed again, with `root` if it was made for it.

    Arguments:
        root: where the runs of a kind live, e.g. ``runs/simulate``.

    Yields:
        The new directory (empty).

    Raises:
        DyntoolsError: if `root` cannot hold runs (it is a finished run itself, a file, or cannot
            be created).
    """
    root = Path(root)
    if is_finished(root):
        raise DyntoolsError(f"{root} holds a finished run (written by an older dyntools) where new runs go; move it "
                            "away or name a directory for the run")
    check_creatable(root / LATEST)
    created = _make_parents(root)
    path = None
    try:
        path = _claim_new(root)
        with reserve(path) as path:
            yield path
        if is_finished(path):
            _point_latest(root, path.name)
    finally:
        _remove_if_empty([*created, *([path] if path else [])])


def _claim_new(root: Path) -> Path:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d_%H-%M-%S")
    for n in range(1, 10_000):
        path = root / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
        except OSError as err:
            raise DyntoolsError(f"cannot create {path}: {err.strerror}") from None
    raise DyntoolsError(f"{root} has no free run name for {stamp}")


def _point_latest(root: Path, name: str) -> None:
    """Make ``root/latest`` a link to `name` (replaced whole; left alone if it is not a link)."""
    latest = root / LATEST
    if os.path.lexists(latest) and not latest.is_symlink():
        return
    temporary = root / f".{LATEST}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        os.symlink(name, temporary)
        os.replace(temporary, latest)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def _remove_if_empty(directories: list[Path]) -> None:
    """Remove the directories a run made for itself (outermost first) that it left empty."""
    for directory in reversed(directories):
        try:
            directory.rmdir()
        except OSError:
            break


def _make_parents(directory: Path) -> list[Path]:
    """Create `directory` and its missing parents; those created, outermost first."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    created = []
    try:
        for directory in reversed(missing):
            directory.mkdir()
            created.append(directory)
    except FileExistsError:
        pass  # made meanwhile by someone else: theirs
    except OSError as err:
        raise DyntoolsError(f"cannot create {directory}: {err.strerror}") from None
    return created


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the lock file beside `path` (removed again when released)."""
    lock = path.parent / f".{path.name}{LOCK}"
    with uninterrupted():
        fd = _acquire(lock, path)
    try:
        yield
    finally:
        with uninterrupted():
            lock.unlink(missing_ok=True)  # still held: a process waiting on this file sees it gone and retries
            os.close(fd)


def _acquire(lock: Path, path: Path) -> int:
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as err:
            raise DyntoolsError(f"cannot lock {path}: {lock}: {err.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 200).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise DyntoolsError(f"another dyntools run ({holder}) is writing {path}; wait for it to end "
                                "or choose another directory") from None
        if _same_file(fd, lock):
            break
        os.close(fd)  # its holder removed it between our open and our lock: take a fresh one
    os.ftruncate(fd, 0)
    os.write(fd, f"process {os.getpid()} on {socket.gethostname()}".encode())
    return fd


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
    except FileNotFoundError:
        return False


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
    """Remove what dead runs left under `parent`: staging directories whose owner process (on
    this host) is gone, and lock files nobody holds.

    A run that a killed forced replacement had set aside (and not yet replaced) is put back
    first. Staging directories owned by another host are left alone.

    Arguments:
        parent: the directory whose hidden staging directories are checked.

    Returns:
        The staging directories removed.
    """
    removed = []
    for owner in [*Path(parent).glob(f".*{STAGE}*/{OWNER}"), *Path(parent).glob(f".*{TRASH}*/{OWNER}")]:
        stage = owner.parent
        if _owner_alive(owner) or stage.is_symlink():
            continue
        _restore_replaced_run(stage)
        shutil.rmtree(stage, ignore_errors=True)
        removed.append(stage)
    for lock in Path(parent).glob(f".*{LOCK}"):
        _remove_if_unheld(lock)
    return removed


def _remove_if_unheld(lock: Path) -> None:
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if _same_file(fd, lock):
            lock.unlink()
    except OSError:
        pass  # held: a live run's
    finally:
        os.close(fd)


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
    target = stage.parent / stage.name[1:].rpartition(TRASH)[0]
    if TRASH in stage.name and is_finished(old) and not os.path.lexists(target):
        os.replace(old, target)


def _make_stage(parent: Path, name: str) -> Path:
    stage = Path(tempfile.mkdtemp(prefix=f".{name}", dir=parent))
    os.chmod(stage, 0o777 & ~umask())  # mkdtemp makes it private; a run is an ordinary directory
    atomic_write(stage / OWNER, lambda file: file.write(f"{socket.gethostname()} {os.getpid()}\n".encode()))
    return stage


@contextmanager
def staged_run(path: Path | str, force: bool = False) -> Iterator[Path]:
    """Yield a temporary directory; on success it replaces `path` atomically.

    Write arrays and figures into the yielded directory and call
    [`write_record`][dyntools.runs.write_record] last. The record's file list is completed
    (every file, figures included), the destination checked again under the lock (see
    [`reserve`][dyntools.runs.reserve], taken here unless the caller holds it), and the
    directory renamed into place. On any exception (Ctrl-C included) the staging directory is
    removed and `path` is left untouched. Stale staging directories of dead processes in the
    same parent are removed first.

    Arguments:
        path: the run directory to write.
        force: replace a finished run at `path`.

    Yields:
        The staging directory, a hidden sibling of `path`.

    Raises:
        DyntoolsError: if `path` cannot be written (see [`check_writable`][dyntools.runs.check_writable])
            or another process holds it.
        RuntimeError: if the block ends without a record having been written.
    """
    with reserve(path, force) as path:
        stage = None
        try:
            with uninterrupted():
                remove_stale_stages(path.parent)
                stage = _make_stage(path.parent, f"{path.name}{STAGE}")
            yield stage
            if not is_finished(stage):
                raise RuntimeError("staged run has no record; call write_record last")
            with uninterrupted():
                (stage / OWNER).unlink()
                _list_files(stage)
                _move_into_place(stage, path, force)
        except OSError as err:
            raise DyntoolsError(f"cannot write {path}: {err.strerror or err}") from None
        finally:
            if stage is not None and stage.exists():
                shutil.rmtree(stage, ignore_errors=True)


def _list_files(directory: Path) -> None:
    """Complete the record's file list: every file of the run, figures and the record included."""
    record = json.loads((directory / RECORD).read_text())
    record["files"] = sorted(os.listdir(directory))
    atomic_write(directory / RECORD, lambda file: file.write((json.dumps(record, indent=2) + "\n").encode()))


def _move_into_place(stage: Path, path: Path, force: bool) -> None:
    """Rename `stage` to `path`, checked again: nothing but an empty directory or a finished run
    (with `force`) may be there. A run it replaces is set aside until the new one is in place."""
    check_writable(path, force)
    if path.is_dir() and any(path.iterdir()):
        trash = _make_stage(path.parent, f"{path.name}{TRASH}")
        os.replace(path, trash / "run")
        os.replace(stage, path)
        shutil.rmtree(trash)
    else:
        os.replace(stage, path)  # over an empty directory at most: a rename never replaces a full one


def write_record(directory: Path, command: str, config: dict, summary: dict, seed: int | None) -> dict:
    """Write `run.json` into `directory` (atomically): the step that marks a run finished.

    The record holds the command, package version, UTC creation time, seed, config, summary and
    the names of the files in `directory` (completed when the run is moved into place); it is
    strict JSON (see [`strict_json`][dyntools.runs.strict_json]).

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
    atomic_write(Path(directory) / RECORD, lambda file: file.write((text + "\n").encode()))
    return json.loads(text)


def save_arrays(directory: Path, name: str, **arrays: Any) -> None:
    """Save arrays into an uncompressed `.npz` file in `directory` (atomically).

    Arguments:
        directory: the (staging) run directory.
        name: the file name (`.npz` is appended if missing).
        **arrays: the arrays (anything `np.asarray` accepts), by name.
    """
    name = name if name.endswith(".npz") else f"{name}.npz"
    atomic_write(Path(directory) / name, lambda file: np.savez(file, **{k: np.asarray(v) for k, v in arrays.items()}))


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
        DyntoolsError: if `path` is not a finished run (of ``command``), or (in one line,
            ``"<path> is a corrupt run: <what>"``) if its record or array files do not match the
            schema of [`dyntools.records`][dyntools.records] or cannot be read.
    """
    from .records import read_run

    return read_run(path, command)


def load_dataset(path: Path | str) -> xr.Dataset:
    """A saved xarray Dataset (e.g. a sweep's `sweep.nc`), read into memory.

    Arguments:
        path: the `.nc` file (HDF5-based netCDF).

    Returns:
        The Dataset, loaded (the file is closed).

    Raises:
        DyntoolsError: if the file is not a regular file, cannot be read, or does not hold a
            sweep's variables (see [`check_dataset`][dyntools.records.check_dataset]); reported
            as a corrupt run.
    """
    from .records import read_dataset

    return read_dataset(path)
