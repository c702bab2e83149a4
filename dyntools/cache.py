"""Where dyntools keeps what it can reuse between runs: compiled programs and derived series.

Library calls keep nothing unless ``$DYNTOOLS_CACHE_DIR`` names a directory (``off`` or empty:
nothing). The command line calls `enable`, which sets it to ``$XDG_CACHE_HOME/dyntools``
(``~/.cache/dyntools``) unless it is already set. Everything in it can be deleted at any time.

Both caches follow one rule. An entry's key hashes what it was computed from and
`code_identity` (dyntools' sources and the versions of dyntools, JAX, SymPy and the traced
libraries), so an edited checkout never reuses a stale entry. An entry is one header line
(format, key, SHA-256 of the payload) and the payload: a truncated or overwritten entry, or one
holding another key's payload, is rebuilt and reported in one line. Entries are written to an
exclusively created temporary file in the same directory and renamed into place, so readers
never see half an entry, concurrent writers of one entry each leave a whole one, and a symlink
planted at an entry's path is replaced, never written through.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from .files import atomic_write

CACHE_ENV = "DYNTOOLS_CACHE_DIR"
_FORMAT = b"dyntools-cache-entry-1"  # the first word of every entry's header line
_JAX_CHECKED = ".dyntools-checked"  # in JAX's cache: its time is when entries were last checked
_CLOCK_SLACK_NS = 2_000_000_000  # file systems with coarse timestamps: check a little earlier
_log = logging.getLogger(__name__)
_T = TypeVar("_T")
_damage_reported = False  # a damaged cache is reported once a process


def enable() -> None:
    """Keep caches in ``~/.cache/dyntools`` (under ``$XDG_CACHE_HOME`` if set) for this process
    and the processes it starts, unless ``$DYNTOOLS_CACHE_DIR`` already says where (or ``off``).

    The command line calls this before configuring JAX; library calls write nothing to the home
    directory unless it is called. Damaged entries of JAX's persistent compilation cache
    (``jax`` in the cache) are removed here, see `repair_compilation_cache`.
    """
    os.environ.setdefault(CACHE_ENV, str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dyntools"))
    root = cache_root()
    if root is not None:
        repair_compilation_cache(root / "jax")


def cache_root() -> Path | None:
    """The cache directory, or None when ``$DYNTOOLS_CACHE_DIR`` is unset, ``off`` or empty.

    Returns:
        The directory (not created here).
    """
    chosen = os.environ.get(CACHE_ENV, "")
    return None if chosen.strip().lower() in ("", "off", "none") else Path(chosen).expanduser()


@cache
def code_identity() -> str:
    """A digest of what cached entries depend on: dyntools' source files (names and contents) and
    the versions of dyntools, JAX, SymPy and the libraries JAX traces."""
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    for name in ("dyntools", "jax", "jaxlib", "sympy", "equinox", "diffrax", "lineax", "optimistix"):
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=none".encode())
    return digest.hexdigest()


def entry_key(*parts: object) -> str:
    """The key of the entry computed from ``parts`` (their ``repr``) by this code.

    Returns:
        40 hex digits hashing ``parts`` and `code_identity`.
    """
    return hashlib.sha256(repr((parts, code_identity())).encode()).hexdigest()[:40]


def entry_path(kind: str, key: str, suffix: str) -> Path | None:
    """Where the entry ``key`` of the cache ``kind`` (``"exported"``, ``"series"``) lives; None
    when caching is off."""
    root = cache_root()
    return None if root is None else root / kind / f"{key}{suffix}"


def load(path: Path | None, key: str, parse: Callable[[bytes], _T]) -> _T | None:
    """The stored entry ``key``, parsed; None when there is none or it is damaged.

    A damaged entry (unreadable, truncated, a wrong checksum, another key's, or a payload
    ``parse`` rejects) is reported in one line; the caller rebuilds it and `save` replaces it.

    Arguments:
        path: the entry's file (None: caching is off).
        key: the key the entry must carry.
        parse: turns the payload into the value; any exception it raises marks the entry damaged.
    """
    if path is None:
        return None
    try:
        data = _read(path)
    except FileNotFoundError:
        return None
    except OSError:  # a directory, a symlink, no permission: treated as damaged
        data = b""
    header, _, payload = data.partition(b"\n")
    if header == _header(key, payload):
        try:
            return parse(payload)
        except Exception:  # noqa: BLE001 - whatever the payload's parser raises: rebuild it
            pass
    _report_damage(f"cache entry {path} was damaged; rebuilt")
    return None


def _report_damage(what: str) -> None:
    """Say that the cache was damaged: one line in a process, however many entries were."""
    global _damage_reported
    if not _damage_reported:
        _damage_reported = True
        _log.warning("dyntools: %s", what)


def save(path: Path | None, key: str, payload: bytes) -> None:
    """Store ``payload`` as the entry ``key`` at ``path`` atomically: written to a temporary file
    created exclusively beside it, then renamed over it (replacing a symlink, never following
    it). A cache that cannot be written is skipped silently: it only saves time."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda file: file.write(_header(key, payload) + b"\n" + payload))
    except OSError:
        pass


def repair_compilation_cache(directory: Path) -> None:
    """Remove the entries of JAX's persistent compilation cache in ``directory`` that do not
    decompress (truncated or overwritten), reporting them in one line.

    JAX warns about each such entry on every run and never replaces it (it skips writing an entry
    whose file exists); once removed, JAX compiles and stores it again. Only entries written
    since the previous check (``.dyntools-checked``'s time) are read.
    """
    started = time.time_ns()
    stamp = directory / _JAX_CHECKED
    since = _modified_ns(stamp) - _CLOCK_SLACK_NS  # no stamp yet: every entry
    entries = [path for path in directory.glob("*-cache") if _modified_ns(path) >= since]
    damaged = [path for path in entries if not _decompresses(path)]
    try:
        for path in damaged:
            path.unlink(missing_ok=True)
        if directory.is_dir():
            stamp.touch()
            os.utime(stamp, ns=(started, started))
    except OSError:
        return
    if damaged:
        _report_damage(f"{len(damaged)} damaged entries of JAX's compilation cache {directory} removed")


def _header(key: str, payload: bytes) -> bytes:
    """The first line of the entry ``key`` holding ``payload``: format, key, payload's SHA-256."""
    return b" ".join((_FORMAT, key.encode(), hashlib.sha256(payload).hexdigest().encode()))


def _read(path: Path) -> bytes:
    """The bytes of the regular file ``path`` (a symlink is refused where the system can)."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(handle, "rb") as file:
        return file.read()


def _modified_ns(path: Path) -> int:
    """When ``path`` was last modified (ns), or -1 when it does not exist."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _decompresses(path: Path) -> bool:
    """Whether JAX can decompress the cache entry ``path`` (zlib checks its Adler-32 checksum)."""
    try:
        _jax_decompress()(path.read_bytes())
    except FileNotFoundError:  # removed meanwhile (another process, JAX's eviction)
        return True
    except Exception:  # noqa: BLE001 - zlib.error, zstd.ZstdError, OSError: damaged
        return False
    return True


@cache
def _jax_decompress() -> Callable[[bytes], bytes]:
    """JAX's choice of decompression, made without importing JAX: zstd where Python has it
    (``compression.zstd``, else the ``zstandard`` package), else zlib."""
    try:
        from compression import zstd

        return zstd.decompress
    except ImportError:
        pass
    try:
        import zstandard

        return zstandard.ZstdDecompressor().decompress
    except ImportError:
        return zlib.decompress
