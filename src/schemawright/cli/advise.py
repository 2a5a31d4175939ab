"""``schemawright advise``: index advice for a workload, measured on the database."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from schemawright import api
from schemawright.cli.output import escape, fail
from schemawright.cli.output import out as cli_out
from schemawright.errors import SchemawrightError


def _ms(x) -> str:
    return "-" if x is None else f"{x:.3f} ms"


def advise_cmd(
    workload: Annotated[str, typer.Option("--workload", help="A file (.sql, .log, .json, .csv) or "
                                          "'pg_stat_statements'")],
    dsn: Annotated[Optional[str], typer.Option("--dsn", help="PostgreSQL URL; default: the embedded server")] = None,
    hypopg: Annotated[Optional[bool], typer.Option("--hypopg/--trial", help="Hypothetical indexes (HypoPG) or "
                                                    "real trial builds on a scratch copy; default: HypoPG if "
                                                    "present")] = None,
    sample_rows: Annotated[int, typer.Option(help="Rows a table copied to the scratch copy for trial builds",
                                             min=1)] = 100_000,
    min_savings: Annotated[float, typer.Option(help="Keep a candidate that cuts a query's cost by this share")] = 0.5,
    measure: Annotated[bool, typer.Option(help="Build the advice (rolled back) and time every query")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the advice as JSON")] = False,
) -> None:
    """Suggest indexes that measurably help a workload; list redundant and unused ones."""
    from rich.table import Table

    out = cli_out()
    try:
        result = api.advise_workload(workload, dsn, use_hypopg=hypopg, min_savings=min_savings, measure=measure,
                                     sample_rows=sample_rows)
    except SchemawrightError as exc:
        fail(exc)
    advice = result.advice
    if as_json:
        print(json.dumps(advice.to_dict(), indent=2, default=str))
        return
    out.print(f"{result.queries} queries, candidates evaluated with "
              f"{'HypoPG' if advice.mode == 'hypopg' else 'real trial builds'} {escape(str(advice.where))}", highlight=False)
    for s in advice.skipped:
        out.print(f"[dim]not copied: {escape(str(s))}[/]", highlight=False)
    for ix in advice.indexes:
        out.print(f"\n[bold]{escape(ix['statement'])}[/]", highlight=False)
        t = Table(show_header=True, box=None)
        for col in ("query", "cost before", "cost after", "before", "after"):
            t.add_column(col, justify="left" if col == "query" else "right")
        for q in ix["queries"]:
            t.add_row(escape(q["query"][:70]), f"{q['cost_before']:.1f}", f"{q['cost_after'] or 0:.1f}", _ms(q["ms_before"]),
                      _ms(q["ms_after"]))
        out.print(t)
    for r in advice.rejected:
        out.print(f"[dim]rejected {escape(r['table'])} ({escape(', '.join(r['columns']))}): {escape(str(r['reason']))}[/]",
                  highlight=False)
    for r in advice.redundant + advice.unused:
        out.print(f"[yellow]{escape(r['statement'])}[/]  -- {escape(str(r['reason']))}", highlight=False)
    out.print(f"\n{len(advice.indexes)} index(es) to add; workload time {advice.total_ms_before:.2f} ms -> "
              f"{advice.total_ms_after:.2f} ms (EXPLAIN ANALYZE, weighted by frequency)")


def register(app: typer.Typer) -> None:
    """Add ``schemawright advise`` to the main command."""
    app.command("advise")(advise_cmd)
