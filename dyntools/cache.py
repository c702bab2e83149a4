"""Where dyntools keeps what it can reuse between runs: compiled programs and derived series.

``$DYNTOOLS_CACHE_DIR`` if set (``off`` keeps nothing), else ``$XDG_CACHE_HOME/dyntools``
(``~/.cache/dyntools``). Everything in it can be deleted at any time.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

CACHE_ENV = "DYNTOOLS_CACHE_DIR"


def cache_root() -> Path | None:
    """The cache directory, or None when ``$DYNTOOLS_CACHE_DIR`` is ``off`` (or empty).

    Returns:
        The directory (not created here).
    """
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "none") else Path(chosen).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dyntools"


def store(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary sibling renamed into place); a cache
    that cannot be written is skipped silently: it only saves time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass


@cache
def code_identity() -> str:
    """A digest of what the programs dyntools compiles depend on: its own source files and the
    versions of JAX and the libraries it traces (so an edited checkout never reuses a stale
    program)."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    for name in ("jax", "jaxlib", "equinox", "diffrax", "lineax", "optimistix"):
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=none".encode())
    return digest.hexdigest()
