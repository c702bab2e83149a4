"""MkDocs hook: generate the CLI reference and every figure of the site before a build.

The CLI reference is written from the typer app itself; figures come from dyntools commands
run at small scale (each is made once and reused while its file exists; CI builds from a clean
checkout, so there every figure is fresh). Generated files are not committed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
FIGURES = DOCS / "figures"

# figure file -> (dyntools arguments, the PNG the run writes)
FIGURE_RUNS = {
    "simulate.png": (["simulate", "--kurtosis", "-1.0"], "theory_vs_simulation.png"),
    "sweep_grid.png": (["sweep", "--grid", "kurtosis=-1.5:1:5", "--grid", "xi1=1.5:3.5:4", "--theory-only",
                        "--n-dims", "24", "--steps", "400", "--saves", "10"], "ipr_vs_kurtosis_xi1.png"),
    "lufkin-fig3.png": (["reproduce", "lufkin-fig3", "--quick"], "lufkin-fig3.png"),
    "two-d-discrepancy.png": (["reproduce", "two-d-discrepancy", "--quick"], "two-d-discrepancy.png"),
    "baseline-ica.png": (["baseline", "ica", "--kurtosis", "3", "--n-dims", "40", "--atoms", "16", "--samples", "5000"],
                         "atoms.png"),
}


def on_pre_build(config, **kwargs) -> None:
    (DOCS / "cli.md").write_text(cli_reference())
    (DOCS / "gen" / "generated_derivation.md").write_text(derivation_steps())
    FIGURES.mkdir(exist_ok=True)
    for name, (args, produced) in FIGURE_RUNS.items():
        if not (FIGURES / name).exists():
            _figure(name, args, produced)


def derivation_steps() -> str:
    """Every step of :func:`dyntools.theory.derivation.general_steps`, in LaTeX."""
    from dyntools.theory.derivation import general_steps

    lines = []
    for number, step in enumerate(general_steps(7), 1):
        lines += [f"**{number}. {step.title}.** {step.explanation}.", "", "$$", step.latex(), "$$", ""]
    return "\n".join(lines)


def _figure(name: str, args: list[str], produced: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        command = [sys.executable, "-c", "from dyntools.cli import main; main()", *args, "--out", str(out)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        shutil.copyfile(out / produced, FIGURES / name)


def cli_reference() -> str:
    """Markdown for every command of the typer app: its help text and a table of its options."""
    import click
    import typer

    from dyntools.cli import app

    root = typer.main.get_command(app)
    lines = ["# CLI reference", "", "Generated from the command-line app at build time "
             "(`dyntools COMMAND --help` prints the same).", ""]
    ctx = click.Context(root, info_name="dyntools")
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        lines += [f"## `dyntools {name}`", "", (command.help or "").strip(), ""]
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        if arguments:
            usage = " ".join(p.human_readable_name for p in arguments)
            lines += [f"Arguments: `{usage}`", ""]
        options = [p for p in command.params if isinstance(p, click.Option)]
        if options:
            lines += ["| option | default | help |", "|---|---|---|"]
            for option in options:
                flags = ", ".join(f"`{flag}`" for flag in option.opts + option.secondary_opts)
                default = "" if option.default in (None, False) or option.is_flag else f"`{_default(option)}`"
                text = (option.help or "").replace("|", "\\|").replace("\n", " ")
                lines.append(f"| {flags} | {default} | {text} |")
            lines.append("")
    return "\n".join(lines)


def _default(option) -> str:
    value = option.default
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)
