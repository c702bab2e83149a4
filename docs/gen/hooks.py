"""MkDocs hook: generate the CLI reference and every figure of the site before a build.

The CLI reference is written from the typer app itself (docs/gen/cli_reference.py); figures
come from dyntools commands run at small scale (each is made once and reused while its file
exists; CI builds from a clean checkout, so there every figure is fresh). Generated files are not committed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_reference import cli_reference  # docs/gen/cli_reference.py (MkDocs puts a hook's folder on sys.path)

DOCS = Path(__file__).resolve().parents[1]
FIGURES = DOCS / "figures"

# figure file -> (dyntools arguments, the PNG the run writes)
FIGURE_RUNS = {
    "simulate.png": (["simulate", "--kurtosis", "-1.0"], "theory_vs_simulation.png"),
    "sweep_grid.png": (["sweep", "--grid", "kurtosis=-1.5:1:5", "--grid", "xi1=1.5:3.5:4", "--theory-only",
                        "--n-dims", "24", "--steps", "400", "--saves", "10"], "ipr_vs_kurtosis_xi1.png"),
    "lufkin-fig3.png": (["reproduce", "lufkin-fig3", "--quick"], "lufkin-fig3.png"),
    "two-d-discrepancy.png": (["reproduce", "two-d-discrepancy", "--quick"], "two-d-discrepancy.png"),
    "olshausen-field.png": (["reproduce", "olshausen-field", "--quick"], "olshausen-field.png"),
    "baseline-ica.png": (["baseline", "ica", "--kurtosis", "3", "--n-dims", "40", "--atoms", "16", "--samples", "5000"],
                         "atoms.png"),
    "images-ica.png": (["baseline", "ica", "--images", "--samples", "10000"], "atoms.png"),
    "images-ica-tuning.png": (["baseline", "ica", "--images", "--samples", "10000"], "tuning.png"),
}


def on_pre_build(config, **kwargs) -> None:
    _write_if_changed(DOCS / "cli.md", cli_reference())
    _write_if_changed(DOCS / "gen" / "generated_derivation.md", derivation_steps())
    FIGURES.mkdir(exist_ok=True)
    for name, (args, produced) in FIGURE_RUNS.items():
        if not (FIGURES / name).exists():
            _figure(name, args, produced)


def _write_if_changed(path: Path, text: str) -> None:
    """Leave an up-to-date file untouched, so that `mkdocs serve` does not rebuild in a loop."""
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


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
