"""``schemawright verify DIR``: prove a project folder on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from schemawright import api
from schemawright.cli.output import err, escape, fail, out
from schemawright.errors import SchemawrightError

DsnOption = Annotated[Optional[str], typer.Option("--dsn", help="PostgreSQL URL; default: the embedded server")]


def verify_cmd(
    folder: Annotated[Path, typer.Argument(help="A folder written by 'schemawright design'")],
    dsn: Annotated[Optional[str], typer.Option("--dsn", help="PostgreSQL URL (default: a private cluster), or "
                                               "mysql://... for a MySQL design (default: the local server)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="List every check, not only failures")] = False,
    backup: Annotated[bool, typer.Option("--backup", help="Also back up a seeded copy with the generated script, "
                                         "restore it into a new database and compare every table (backup.json)")] = False,
    scale: Annotated[float, typer.Option(help="With --backup: rows seeded = estimated_rows x scale")] = 0.01,
) -> None:
    """Prove a design on its database (PostgreSQL; MySQL/MariaDB or SQLite for --dialect designs):
    migrations forward/back/forward, catalog, constraints."""
    try:
        report = api.verify_project(folder, dsn=dsn, progress=None if as_json else err())
    except SchemawrightError as exc:
        fail(exc)
    proof = None
    if backup:
        if scale <= 0:
            err().print("--scale must be positive")
            raise typer.Exit(2)
        try:
            proof = api.prove_backup(folder, dsn, scale=scale)
        except SchemawrightError as exc:
            fail(exc)
    if as_json:
        print(json.dumps(report.to_dict() | ({"backup": proof} if proof else {}), indent=2))
    else:
        _print_report(report, verbose)
        if proof:
            _print_backup(proof)
    raise typer.Exit(0 if report.passed and (proof is None or proof["passed"]) else 1)


def _print_backup(proof: dict) -> None:
    bad = [t for t in proof["tables"] if not t["equal"]]
    p = proof["projection"]
    colour = "green" if proof["passed"] else "red"
    out().print(f"[{colour}]backup and restore: {len(proof['tables']) - len(bad)}/{len(proof['tables'])} tables equal "
                f"(row count and content checksum), {proof['rows_loaded']:,} rows[/]")
    for t in bad:
        out().print(f"[red]  {escape(t['table'])}: {t['rows']} rows -> {t['restored_rows']} restored, checksum "
                    f"{'differs' if t['checksum'] != t['restored_checksum'] else 'equal'}[/]")
    out().print(f"backup {proof['backup_seconds']:.2f} s, restore {proof['restore_seconds']:.2f} s for "
                f"{proof['tables_bytes']:,} bytes of tables")
    if p["restore_seconds"] is not None:
        within = "within" if p["restore_within_target"] else "[red]NOT within[/]"
        out().print(f"projected to the target volume ({proof['target_bytes']:,} bytes, x{p['factor']}): backup "
                    f"{p['backup_seconds']:,.0f} s, restore {p['restore_seconds']:,.0f} s, {within} the 30-minute "
                    "restore target (seed 002); report: backup.json")


def _print_report(report, verbose: bool) -> None:
    from rich.table import Table

    summary = Table(title="verification", show_header=True)
    for col in ("group", "passed", "failed"):
        summary.add_column(col, justify="left" if col == "group" else "right")
    for group, counts in report.to_dict()["summary"]["by_group"].items():
        failed = counts["failed"]
        summary.add_row(group, str(counts["passed"]), f"[red]{failed}[/]" if failed else "0")
    out().print(summary)
    shown = [s for s in report.steps if verbose or not s.ok]
    if shown:
        table = Table(show_header=True, title=None if verbose else "failed checks")
        for col in ("check", "result", "detail"):
            table.add_column(col)
        for step in shown:
            table.add_row(escape(step.name), "[green]pass[/]" if step.ok else "[red]FAIL[/]", escape(step.detail))
        out().print(table)
    passed = sum(1 for s in report.steps if s.ok)
    colour = "green" if report.passed else "red"
    out().print(f"[{colour}]{passed}/{len(report.steps)} checks passed[/]; report: {escape(str(report.path))}")


def register(app: typer.Typer) -> None:
    """Add ``schemawright verify`` to the main command."""
    app.command("verify")(verify_cmd)
