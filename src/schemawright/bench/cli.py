"""``schemawright bench``: the workload benchmark against the task input's targets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from schemawright.cli_output import err as cli_err
from schemawright.cli_output import error, fail
from schemawright.cli_output import out as cli_out

from schemawright.errors import SchemawrightError


def bench_cmd(
    source: Annotated[Path, typer.Argument(help="A folder written by 'schemawright design', or a task input")],
    scale: Annotated[float, typer.Option(help="Rows = estimated_rows x scale")] = 0.01,
    duration: Annotated[float, typer.Option(help="Measured seconds per run")] = 10.0,
    clients: Annotated[int, typer.Option(help="Concurrent connections")] = 4,
    warmup: Annotated[float, typer.Option(help="Warm-up seconds before measuring")] = 2.0,
    dsn: Annotated[Optional[str], typer.Option("--dsn", help="PostgreSQL URL; default: the embedded server")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the synthetic data")] = 42,
    max_rows: Annotated[int, typer.Option(help="At most this many rows in any table")] = 1_000_000,
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for bench.json and the chart "
                                                "(default: the design folder, else the current folder)")] = None,
    baseline: Annotated[bool, typer.Option(help="Also run with primary keys only")] = True,
    floor: Annotated[bool, typer.Option(help="Also measure SELECT 1 and pgbench")] = True,
    fmt: Annotated[str, typer.Option("--format", help="table (80 columns) or json (bench.json on stdout)")] = "table",
) -> None:
    """Seed a scratch database, run the workload, report latency/throughput against the targets."""
    from schemawright.bench.report import baseline_ratio, print_report, storage_lines, write_outputs
    from schemawright.bench.run import bench

    err, con = cli_err(), cli_out()
    if fmt not in ("table", "json"):
        error(f"--format must be table or json, not {fmt!r}", 2)
    if scale <= 0 or duration <= 0 or clients < 1 or warmup < 0:
        error("--scale and --duration must be positive, --clients at least 1", 2)
    try:
        result = bench(source, dsn, scale=scale, duration=duration, clients=clients, warmup=warmup, seed=seed,
                       baseline=baseline, floor=floor, max_rows=max_rows, console=err)
    except SchemawrightError as exc:
        fail(exc)
    result["baseline_ratio"] = baseline_ratio(result)
    folder = out or (source if source.is_dir() else Path.cwd())
    try:
        written = write_outputs(result, folder)
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot write the results into {folder}: {exc.strerror or exc}",
                  highlight=False)
        raise typer.Exit(1) from None
    if fmt == "json":
        typer.echo(json.dumps(result, indent=2, default=str))
        err.print("wrote " + ", ".join(str(p) for p in written), highlight=False)
    else:
        print_report(result, con)
        for line in storage_lines(result):
            con.print(f"storage {line}", highlight=False)
        con.print("wrote:", highlight=False)
        for path in written:  # one per line: a line holds at most one path that cannot be wrapped
            con.print(f"  {path}", highlight=False, markup=False)
    if result.get("unmeasured"):
        for item in result["unmeasured"]:
            err.print(f"[bold red]error:[/] declared query pattern {item['pattern']!r} was not measured: "
                      f"{item['reason']}", highlight=False)
        raise typer.Exit(4)


def register(app: typer.Typer) -> None:
    """Add ``schemawright bench`` to the main command."""
    app.command("bench")(bench_cmd)
