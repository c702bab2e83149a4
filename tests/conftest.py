import os
import sys
import warnings

# One BLAS thread: on 2 busy cores, multi-threaded OpenBLAS made FastICA up to 60x slower
# (measured 5.9 s vs 0.09 s); set before NumPy is imported by any test module.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Commands print a status line every 30 s when stderr is not a terminal; keep test stderr exact.
os.environ.setdefault("DYNTOOLS_STATUS_SECONDS", "3600")
# Caches (compiled programs, derived series) in a fresh directory: tests see cold starts.
import tempfile  # noqa: E402

os.environ.setdefault("DYNTOOLS_CACHE_DIR", tempfile.mkdtemp(prefix="dyntools-test-cache-"))

import pytest  # noqa: E402


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
