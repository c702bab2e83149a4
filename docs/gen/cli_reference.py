"""Write the CLI reference (Markdown) from the typer app itself.

Run as a script (``python docs/gen/cli_reference.py [OUT]``, default ``docs/cli.md``) or
imported by ``docs/gen/hooks.py``, which regenerates ``docs/cli.md`` before every build.

Typer >= 0.29 ships its own copy of click (``typer._click``), so parameters are told apart by
``param_type_name`` ("option" / "argument"), never by ``isinstance`` against the ``click``
package: that test is silently false and would drop every option from the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "cli.md"


def cli_reference() -> str:
    """Markdown for the app and every command: help text, usage, arguments and options."""
    import typer

    from dyntools.cli import app

    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="dyntools")
    lines = [
        "# CLI reference",
        "",
        "Generated from the command-line app at build time by `docs/gen/cli_reference.py` "
        "(`dyntools COMMAND --help` prints the same).",
        "",
        _clean(root.help),
        "",
        f"```text\n{_usage(root, ctx)}\n```",
        "",
        *_params_tables(root, ctx),
    ]
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        if command is None or getattr(command, "hidden", False):
            continue
        sub = command.context_class(command, info_name=name, parent=ctx)
        lines += [f"## `dyntools {name}`", "", _clean(command.help), "", f"```text\n{_usage(command, sub)}\n```", ""]
        if command.epilog:
            lines += [_clean(command.epilog), ""]
        lines += _params_tables(command, sub)
    return "\n".join(lines).rstrip() + "\n"


def _params_tables(command, ctx) -> list[str]:
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    arguments = [p for p in params if p.param_type_name == "argument"]
    options = [p for p in params if p.param_type_name == "option"]
    lines: list[str] = []
    if arguments:
        lines += ["| argument | required | help |", "|---|---|---|"]
        for p in arguments:
            lines.append(f"| `{p.name.upper()}` | {'yes' if p.required else 'no'} | {_cell(getattr(p, 'help', None))} |")
        lines.append("")
    if options:
        lines += ["| option | default | help |", "|---|---|---|"]
        for p in options:
            flags = ", ".join(f"`{flag}`" for flag in [*p.opts, *p.secondary_opts])
            metavar = _metavar(p, ctx)
            if metavar:
                flags += f" `{metavar}`"
            lines.append(f"| {flags} | {_default(p)} | {_cell(getattr(p, 'help', None))} |")
        lines.append("")
    return lines


def _metavar(option, ctx) -> str:
    """The value placeholder typer shows after the flag (``<float>``), empty for flags."""
    if getattr(option, "is_flag", False):
        return ""
    try:
        record = option.get_help_record(ctx)
    except Exception:  # a help record is decoration; never fail the build over it
        return ""
    if not record:
        return ""
    first = record[0].split(",")[-1].strip() if "<" not in record[0] else record[0][record[0].index("<"):]
    return first if first.startswith("<") else ""


def _default(option) -> str:
    value = option.default
    if getattr(option, "is_flag", False) or value is None or value == () or value == []:
        return ""
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value)
    return f"`{_cell(str(value))}`"


def _usage(command, ctx) -> str:
    return command.get_usage(ctx).strip()


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ").strip()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.write_text(cli_reference())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
