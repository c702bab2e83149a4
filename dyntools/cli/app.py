"""The typer app, its global options, and the one entry point that turns every error into one line."""

from __future__ import annotations

import gc
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import DyntoolsError
from .common import Interrupted, check_multi_value_options, flag, flag_message, on_interrupt, with_optional_values

class _Command(typer.core.TyperCommand):
    """A command whose ``--help``, like every flag, is shown without a value type."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class _Group(typer.core.TyperGroup, _Command):
    """The ``dyntools`` group, its ``--help`` shown the same way."""


def command(name: str | None = None):
    """Register a command of ``dyntools`` (``@command()`` in each command's module)."""
    return app.command(name, cls=_Command)


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Learning dynamics of receptive-field localization: inputs, theory, simulations, baselines.",
)
_debug = False  # --debug: let unexpected errors show their traceback


def _print_version(value: bool) -> None:
    if value:
        from ..runs import package_version

        print(f"dyntools {package_version()}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, flag("--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, flag("--debug", help="Show the traceback of an unexpected (internal) error.")] = False,
):
    global _debug
    _debug = debug



INTERRUPTED = 130  # the shell's code for Ctrl-C


def compilation_cache_dir() -> Path | None:
    """The persistent JAX compilation cache of the command: ``jax`` in
    [`cache_root`][dyntools.cache.cache_root] (``~/.cache/dyntools/jax``); None when that is off."""
    from ..cache import cache_root

    root = cache_root()
    return None if root is None else root / "jax"


def configure_jax() -> None:
    """What the command sets and the library never does: JAX's 64-bit floats (the theory needs
    them) and a persistent compilation cache, so a repeat run loads its programs from disk.

    Set through JAX's environment variables while JAX is not imported (``--help`` never imports
    it; worker processes inherit them), else through ``jax.config``. Equinox is told to turn
    solver errors into NaN (``EQX_ON_ERROR=nan``, unless set): its default raises through a host
    callback, and programs with host callbacks cannot be cached; every solve is checked for
    non-finite values, so a failure is still reported."""
    from ..cache import enable as enable_cache

    enable_cache()  # before JAX reads where its compilation cache is
    os.environ.setdefault("EQX_ON_ERROR", "nan")
    settings = {"jax_enable_x64": True}
    cache = compilation_cache_dir()
    if cache is not None:
        settings.update(jax_compilation_cache_dir=str(cache), jax_persistent_cache_min_compile_time_secs=0.0)
    if "jax" in sys.modules:
        for name, value in settings.items():
            sys.modules["jax"].config.update(name, value)
    else:
        os.environ.update({name.upper(): str(value) for name, value in settings.items()})


def main() -> None:
    """Entry point: runs the command (see `run_command`) and exits with its code. Ctrl-C also
    installs a handler that raises the interrupt only where it is safe (see
    [`on_interrupt`][dyntools.cli.common.on_interrupt]); after an interrupt the interpreter's
    teardown is skipped: with JAX computations still in flight it can crash or print tracebacks
    from exit handlers, and every ``with`` block has already cleaned up."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started with Ctrl-C ignored
        signal.signal(signal.SIGINT, on_interrupt)
    # A run allocates in bursts (imports, JAX tracing): collecting the young generation every
    # 10,000 allocations, not 700, cut a simulate's time in the collector from 0.3 s to 0.13 s.
    gc.set_threshold(10_000, 10, 10)
    code = run_command()
    if code == INTERRUPTED:
        sys.stdout.flush(), sys.stderr.flush()
        os._exit(code)
    # The interpreter's teardown collects garbage over every object the run made (JAX's traces and
    # caches, the figures' artists), memory the exit frees anyway: frozen, they are not walked
    # (exit took 0.53 s of a 3.8 s simulate, now 0.13 s).
    gc.freeze()
    sys.exit(code)


def run_command() -> int:
    """Run the command in ``sys.argv``; its exit code. Bad input: one line on stderr, 2.
    Ctrl-C: one line, 130, nothing half written. Anything else is a bug: one line (the
    traceback with --debug), 1."""
    import warnings

    from ..errors import KernelClippingWarning

    warnings.simplefilter("ignore", category=KernelClippingWarning)  # every command reports clipping itself
    # a compiled program that cannot be cached (a full disk, a file size limit) is compiled again next time
    warnings.filterwarnings("ignore", message="Error writing persistent compilation cache entry")
    configure_jax()
    try:
        args = with_optional_values(sys.argv[1:])
        check_multi_value_options(args)
        code = typer.main.get_command(app).main(args, prog_name="dyntools", standalone_mode=False)
    except DyntoolsError as err:
        return _fail(f"error: {flag_message(err)}", 2)
    except typer.TyperException as err:  # usage errors: unknown option, bad type, ...
        return _fail(f"error: {err.format_message()}", 2)
    except (typer.Abort, KeyboardInterrupt):
        return _fail("interrupted; nothing was written", INTERRUPTED)
    except Interrupted as note:
        return _fail(f"interrupted; {note}", INTERRUPTED)
    except OSError as err:  # the file system said no: full disk, permissions, a vanished directory
        return _fail(f"error: {err.strerror or err}{f': {err.filename}' if err.filename else ''}", 2)
    except Exception as err:  # noqa: BLE001 - the one place that turns bugs into one line
        if _debug:
            raise
        message = " ".join(str(err).split())[:300]
        return _fail(f"internal error ({type(err).__name__}: {message}); this is a bug, please report it; "
                     "rerun with --debug for the traceback", 1)
    if code == INTERRUPTED:  # typer turns Ctrl-C into this return code, silently
        return _fail("interrupted; nothing was written", INTERRUPTED)
    return code if isinstance(code, int) else 0


def _fail(message: str, code: int) -> int:
    print(f"dyntools: {message}", file=sys.stderr)
    return code
