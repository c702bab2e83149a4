import os
import sys
import warnings

# One BLAS thread: on 2 busy cores, multi-threaded OpenBLAS made FastICA up to 60x slower
# (measured 5.9 s vs 0.09 s); set before NumPy is imported by any test module.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Commands print a status line every 30 s when stderr is not a terminal; keep test stderr exact.
os.environ.setdefault("DYNTOOLS_STATUS_SECONDS", "3600")
# Equinox's solver errors as NaN, as the dyntools command sets before Equinox is imported (it reads
# the variable once): in-process commands then run the command's exportable programs, kept in the
# test cache and shared by the test processes (with Equinox's default, every process traces its own).
os.environ.setdefault("EQX_ON_ERROR", "nan")
# Caches (compiled programs, derived series) in a fresh directory: tests see cold starts.
import tempfile  # noqa: E402

os.environ.setdefault("DYNTOOLS_CACHE_DIR", tempfile.mkdtemp(prefix="dyntools-test-cache-"))

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# In CI, property tests draw the same examples every run: a red CI names a change, not a draw
# (`CI` set, as CI services and .ci/run's callers do); elsewhere they explore new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def invoke(*args) -> tuple[int, str, str]:
    """Run the dyntools CLI in-process, outside any fixture (module fixtures, hypothesis
    examples): (exit code, stdout, stderr)."""
    import contextlib
    import io

    from dyntools.cli.app import run_command

    out, err, argv = io.StringIO(), io.StringIO(), sys.argv
    sys.argv = ["dyntools", *map(str, args)]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            code = run_command()
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _fresh_cache_report(monkeypatch):
    """A damaged cache is reported once a process: once a test here."""
    import dyntools.cache

    monkeypatch.setattr(dyntools.cache, "_damage_reported", False)


def interrupt_sweep_at(monkeypatch, point: int) -> None:
    """Make the next sweep run its points one by one and raise KeyboardInterrupt (as Ctrl-C
    would) when it reaches point number `point` (1-based); the points before it are saved."""
    import dyntools.simulations.sweep as sweep

    real, calls = sweep.run_simulations, []
    monkeypatch.setattr(sweep, "SAVE_EVERY", 1)

    def interrupted(points, progress=None):
        calls.extend(points)
        if len(calls) == point:
            raise KeyboardInterrupt
        return real(points, progress)

    monkeypatch.setattr(sweep, "run_simulations", interrupted)


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run the dyntools CLI in-process: returns (exit code, stdout, stderr)."""
    from dyntools.cli.app import run_command

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["dyntools", *map(str, args)])
        with warnings.catch_warnings():
            code = run_command()
        out, err = capsys.readouterr()
        return code, out, err

    return run


def pytest_configure(config):
    """The library never changes JAX's settings; its tests turn on 64-bit floats as a user must."""
    import jax

    jax.config.update("jax_enable_x64", True)
