"""Run records: a directory with ``run.json`` (config, package version, seed, summary) and
``.npz`` arrays. A run is *finished* when its ``run.json`` exists. Everything is written into
a temporary sibling directory first and renamed into place, so a crash or a bad argument never
leaves half a run, and a finished run is never replaced unless ``force`` is given.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import DyntoolsError

RECORD = "run.json"


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dyntools")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def is_finished(path: Path | str) -> bool:
    return (Path(path) / RECORD).is_file()


def check_writable(path: Path | str, force: bool) -> Path:
    """Fail early (before any work) if ``path`` holds a finished run and ``force`` is off."""
    path = Path(path)
    if is_finished(path) and not force:
        raise DyntoolsError(f"{path} already holds a finished run; use --force to overwrite it")
    if path.exists() and not path.is_dir():
        raise DyntoolsError(f"{path} exists and is not a directory")
    return path


def jsonable(obj):
    """Plain JSON types; non-finite floats become the strings 'inf', '-inf', 'nan'."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else str(x)
    return obj


@contextmanager
def staged_run(path: Path | str, force: bool = False):
    """Yield a temporary directory; on success it replaces ``path`` atomically.

    Write arrays and figures into the yielded directory and call :func:`write_record` last.
    On any exception the staging directory is removed and ``path`` is left untouched."""
    path = check_writable(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private; a run is an ordinary directory
    try:
        yield stage
        if not is_finished(stage):
            raise RuntimeError("staged run has no record; call write_record last")
        if path.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, trash / "run")
            os.replace(stage, path)
            shutil.rmtree(trash)
        else:
            os.replace(stage, path)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def write_record(directory: Path, command: str, config: dict, summary: dict, seed: int | None) -> dict:
    record = {
        "command": command,
        "version": package_version(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "seed": seed,
        "config": config,
        "summary": summary,
        "files": sorted(p.name for p in Path(directory).iterdir()),
    }
    record = jsonable(record)
    tmp = Path(directory) / (RECORD + ".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, Path(directory) / RECORD)
    return record


def save_arrays(directory: Path, name: str, **arrays) -> None:
    np.savez(Path(directory) / name, **{k: np.asarray(v) for k, v in arrays.items()})


def load_run(path: Path | str) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    """(record, {file stem: {array name: array}}) for a finished run directory."""
    path = Path(path)
    if not is_finished(path):
        raise DyntoolsError(f"{path} is not a finished dyntools run (no {RECORD})")
    record = json.loads((path / RECORD).read_text())
    arrays = {}
    for npz in sorted(path.glob("*.npz")):
        with np.load(npz) as data:
            arrays[npz.stem] = {k: data[k] for k in data.files}
    return record, arrays
