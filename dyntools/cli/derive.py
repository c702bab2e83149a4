"""`dyntools derive`: the localization amplifier of a marginal, symbolically."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..errors import DyntoolsError
from ..inputs.spec import TaskSpec
from .app import command
from .common import MAX_ORDER, Json, emit, flag, num, task_options


@command()
@task_options(classes=False)
def derive(
    task: TaskSpec,
    density: Annotated[Optional[str], typer.Option(help="Your own symmetric density in x (SymPy syntax), integrating to one.")] = None,
    order: Annotated[int, typer.Option(help="Highest power of a in the series.")] = 7,
    latex: Annotated[bool, flag("--latex", help="Print every derivation step in LaTeX.")] = False,
    as_json: Json = False,
):
    """Derive the localization amplifier and effective ODE for a pixel marginal."""
    if not 1 <= order <= MAX_ORDER:
        raise DyntoolsError(f"--order must be between 1 and {MAX_ORDER} (got {order})")
    from ..theory.report import amplifier_report

    marginal, task = _marginal(task, density)
    report = amplifier_report(marginal, order, task)
    if latex:
        from ..theory.derivation import general_steps, marginal_steps

        for step in general_steps(order) + marginal_steps(marginal, order):
            print(f"% {step.title}: {step.explanation}\n{step.latex()}\n")
        return
    lines = [
        f"marginal: {_marginal_description(report)}, excess kurtosis {report['excess_kurtosis']:.6g}",
        "moments: " + ", ".join(f"{k} = {v:.6g}" for k, v in report["moments"].items()),
        f"closed form: {report['closed_form'] or report['closed_form_note']}",
        "series: phi(a) = " + " + ".join(f"({v:.6g}) a^{n}" for n, v in report["series"].items())
        + (f" (stops at order {report['series_order']}: {report['series_missing_moment']} for this marginal)"
           if report["series_missing_moment"] else ""),
        "series - quadrature at a = " + ", ".join(f"{a}: {e:.3g}" for a, e in report["series_error"].items()),
        f"ODE: {report['ode']}",
        f"({report['theory_validity']})",
    ]
    if "exact_amplifier" in report:
        lines.insert(0, f"elliptical data on N = {report['n_pixels']} pixels (--n-dims; the pixel marginal depends on "
                        f"N): the exact amplifier is linear, phi(a) = E|X| a = {report['exact_amplifier']['slope']:.6g} a, "
                        "at all times; below is the pixel marginal's conditional-Gaussian amplifier, for reference")
    emit(report, as_json, lines)


def _marginal_description(report: dict) -> str:
    """How the text output names the marginal: a family and its parameter, or the user's density.

    Arguments:
        report: the `amplifier_report`.

    Returns:
        E.g. ``alg (k = 9)``, ``uniform``, or ``your density 'exp(-x**2)/sqrt(pi)' (s.d. 0.7071, standardized to 1)``
            (the text quoted, so that a newline in it cannot split the line).
    """
    if "density" in report:
        return f"your density {report['density']!r} (s.d. {report['scale']:.6g}, standardized to 1)"
    if report["parameter_name"] is None:
        return report["family"]
    return f"{report['family']} ({report['parameter_name']} = {num(report['parameter'])})"


def _marginal(spec: TaskSpec, density: str | None):
    """(pixel marginal, the task it belongs to or None for a user density) named by the CLI
    options; a user density takes precedence."""
    if density is not None:
        if spec.kurtosis is not None or spec.param is not None:
            raise DyntoolsError("--density fixes the marginal; drop --kurtosis/--param/--gain")
        from ..inputs.density import DensityMarginal

        return DensityMarginal(density), None
    from ..inputs.task import build_task

    task = build_task(spec)
    return task.pixel_marginal, task
