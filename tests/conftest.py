import sys
import warnings

import pytest


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run the dyntools CLI in-process: returns (exit code, stdout, stderr)."""
    from dyntools.cli import main

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["dyntools", *map(str, args)])
        with warnings.catch_warnings():
            try:
                main()
                code = 0
            except SystemExit as exit_:
                code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return run
