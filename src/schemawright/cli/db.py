"""``schemawright db ...``: manage the embedded PostgreSQL server."""

from __future__ import annotations

import typer

from schemawright import api
from schemawright.cli.output import escape, out

db_app = typer.Typer(help="Manage the embedded PostgreSQL server.", no_args_is_help=True)


@db_app.command()
def start() -> None:
    """Start the server (initialising it on first use) and print its URL."""
    typer.echo(api.db_start())


@db_app.command()
def stop() -> None:
    """Stop the server."""
    typer.echo("stopped" if api.db_stop() else "not running")


@db_app.command()
def status() -> None:
    """Show whether the server runs, where, and which version."""
    from rich.table import Table

    table = Table(show_header=False, box=None)
    for key, value in api.db_status().items():
        table.add_row(escape(key), "-" if value is None else escape(str(value)))
    out().print(table)


@db_app.command()
def url() -> None:
    """Print the server's URL; exit 1 if it is not running."""
    value = api.db_url()
    if value is None:
        typer.echo("not running", err=True)
        raise typer.Exit(1)
    typer.echo(value)


def register(app: typer.Typer) -> None:
    """Add ``schemawright db ...`` to the main command."""
    app.add_typer(db_app, name="db", help="Manage the embedded PostgreSQL (start, stop, status, url).")
