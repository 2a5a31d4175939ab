"""The command line's consoles and its one error printer.

Every command prints through ``out``/``err`` and reports failures with ``fail``/``error``, so all of
them behave alike: text from users, files and servers is escaped (a ``[red]`` in a path is printed as
it is), and lines are not wrapped when the output is not a terminal (a long temporary path in an
error message stays on one line for scripts and tests that read it). Exit codes: README.md, "Exit codes".
"""

from __future__ import annotations

from enum import StrEnum
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["INTERNAL_ERROR", "INTERRUPTED", "UNMODELLED", "OutputFormat", "console", "err", "error", "escape", "fail",
           "internal_error", "out", "report_unmodelled", "write_report"]

from schemawright.errors import SchemawrightError, SpecError

INTERNAL_ERROR = 70  # a bug in schemawright (EX_SOFTWARE)
INTERRUPTED = 130
UNMODELLED = 6  # objects the schema model does not hold were left out (diff, import, lint): status partial


class OutputFormat(StrEnum):
    """The report formats of ``lint`` and ``lint-migrations``."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


def console(stderr: bool = False) -> Console:
    """A console that wraps long lines on a terminal only and never colours what it did not mark up."""
    con = Console(stderr=stderr, highlight=False)
    if not con.is_terminal:
        con.soft_wrap = True
    return con


@cache
def out() -> Console:
    """Standard output (made on first use)."""
    return console()


@cache
def err() -> Console:
    """Standard error (made on first use)."""
    return console(stderr=True)


def write_report(report: str, output: Path | None) -> None:
    """A report (``lint``, ``lint-migrations``) into the file ``output`` (saying so on standard error), else
    on standard output."""
    if output:
        output.write_text(report, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    else:
        typer.echo(report, nl=False)


def error(message: str, exit_code: int | None = None) -> None:
    """Print ``error: <message>`` on standard error (the message is escaped); exit when a code is given."""
    err().print(f"[bold red]error:[/] {escape(message)}")
    if exit_code is not None:
        raise typer.Exit(exit_code)


def fail(exc: SchemawrightError, nothing_done: str = "nothing was written") -> NoReturn:
    """Report ``exc`` (each located problem of an input on its own line) and exit with its code."""
    if isinstance(exc, SpecError):
        err().print(f"[bold red]error:[/] {len(exc.problems)} problem(s) in the input; {escape(nothing_done)}")
        for problem in exc.problems:
            err().print(f"  {escape(str(problem))}")
    else:
        error(str(exc))
    raise typer.Exit(exc.exit_code)


def internal_error(exc: BaseException) -> NoReturn:
    """A bug: one line naming it (the traceback with SCHEMAWRIGHT_DEBUG=1), exit 70."""
    err().print(f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
                "This is a bug in schemawright; rerun with SCHEMAWRIGHT_DEBUG=1 for the traceback.")
    raise SystemExit(INTERNAL_ERROR)


def report_unmodelled(entries: Sequence, *, what: str, consequence: str, allow: bool) -> None:
    """What the schema model does not hold, on standard error the same way for ``diff``, ``import`` and ``lint``:
    ``<what>: N object(s) the schema model does not hold (kind, name, why):`` then one line per entry
    (``[action ]kind name: why [definition]``); then exit 6 (status partial: ``consequence``) unless ``allow``
    (``--allow-unmodelled``). An entry is a ``model.schema.Unmodelled`` (``label``, ``why``, ``definition``),
    or a diff's ``Skipped`` (``action`` + ``entry``)."""
    if not entries:
        return
    con = err()
    con.print(f"{what}: {len(entries)} object(s) the schema model does not hold (kind, name, why):", markup=False)
    for item in entries:
        entry = getattr(item, "entry", item)
        action = getattr(item, "action", None)
        con.print(f"  {action + ' ' if action else ''}{entry.label}: {entry.why}" + (
            f" [{entry.definition}]" if entry.definition else ""), markup=False, highlight=False, soft_wrap=True)
    if not allow:
        con.print(f"exit {UNMODELLED}: {consequence}; pass --allow-unmodelled to accept", markup=False)
        raise typer.Exit(UNMODELLED)
