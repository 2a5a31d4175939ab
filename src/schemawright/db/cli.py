"""``schemawright db ...``: manage the embedded PostgreSQL server."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from schemawright.cli_output import out
from schemawright.db import embedded

db_app = typer.Typer(help="Manage the embedded PostgreSQL server.", no_args_is_help=True)


@db_app.command()
def start() -> None:
    """Start the server (initialising it on first use) and print its URL."""
    typer.echo(embedded.start())


@db_app.command()
def stop() -> None:
    """Stop the server."""
    typer.echo("stopped" if embedded.stop() else "not running")


@db_app.command()
def status() -> None:
    """Show whether the server runs, where, and which version."""
    table = Table(show_header=False, box=None)
    for key, value in embedded.status().items():
        table.add_row(escape(key), "-" if value is None else escape(str(value)))
    out().print(table)


@db_app.command()
def url() -> None:
    """Print the server's URL; exit 1 if it is not running."""
    value = embedded.url()
    if value is None:
        typer.echo("not running", err=True)
        raise typer.Exit(1)
    typer.echo(value)


def register(app: typer.Typer) -> None:
    """Add ``schemawright db ...`` to the main command."""
    app.add_typer(db_app, name="db", help="Manage the embedded PostgreSQL (start, stop, status, url).")
