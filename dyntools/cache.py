"""Where dyntools keeps what it can reuse between runs: compiled programs and derived series.

``$DYNTOOLS_CACHE_DIR`` if set (``off`` keeps nothing), else ``$XDG_CACHE_HOME/dyntools``
(``~/.cache/dyntools``). Everything in it can be deleted at any time.
"""

from __future__ import annotations

import os
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
