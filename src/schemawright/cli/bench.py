"""``schemawright bench``: the workload benchmark against the task input's targets."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from schemawright import api
from schemawright.cli.output import err as cli_err
from schemawright.cli.output import error, escape, fail
from schemawright.cli.output import out as cli_out
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
    err, con = cli_err(), cli_out()
    if fmt not in ("table", "json"):
        error(f"--format must be table or json, not {fmt!r}", 2)
    if scale <= 0 or duration <= 0 or clients < 1 or warmup < 0:
        error("--scale and --duration must be positive, --clients at least 1", 2)
    try:
        result = api.bench(source, dsn, scale=scale, duration=duration, clients=clients, warmup=warmup, seed=seed,
                       baseline=baseline, floor=floor, max_rows=max_rows, console=err)
    except SchemawrightError as exc:
        fail(exc)
    folder = out or (source if source.is_dir() else Path.cwd())
    try:
        written = api.write_bench(result, folder)
    except OSError as exc:
        error(f"cannot write the results into {folder}: {exc.strerror or exc}", 1)
    if fmt == "json":
        typer.echo(json.dumps(result.report, indent=2, default=str))
        err.print("wrote " + ", ".join(str(p) for p in written), highlight=False, markup=False)
    else:
        print_report(result.report, con)
        for line in result.storage_lines:
            con.print(f"storage {line}", highlight=False, markup=False)
        con.print("wrote:", highlight=False)
        for path in written:  # one per line: a line holds at most one path that cannot be wrapped
            con.print(f"  {path}", highlight=False, markup=False)
    if result.unmeasured:
        for item in result.unmeasured:
            error(f"declared query pattern {item['pattern']!r} was not measured: {item['reason']}")
        raise typer.Exit(4)


def _ms(x) -> str:
    return "-" if x is None else (f"{x * 1000:.0f} µs" if x < 1 else f"{x:.2f} ms" if x < 100 else f"{x:,.0f} ms")


def _short(x) -> str:
    """A latency in at most 6 characters (850µs, 9.99ms, 979ms, 3.0s)."""
    if x is None:
        return "-"
    if x < 1:
        return f"{x * 1000:.0f}µs"
    if x < 10:
        return f"{x:.2f}ms"
    return f"{x:.0f}ms" if x < 1000 else f"{x / 1000:.1f}s"


def print_report(result: dict, console: Console) -> None:
    """The workload and target tables, one line per row within 80 columns (p99, the PK-only ratio and
    sequential scans, which do not fit, are in bench.json and in the lines under the table)."""
    base = (result.get("baseline") or {}).get("results", {})
    t = Table(title=f"{escape(str(result['project']))}: {result['clients']} clients, {result['duration_s']:g}s, "
                    f"scale {result['scale']}", box=box.SIMPLE_HEAD, padding=(0, 1), title_justify="left")
    t.add_column("pattern", max_width=24, no_wrap=True, overflow="ellipsis")
    for col in ("calls/s", "p50", "p95", "target", "err", "PK-only"):
        t.add_column(col, justify="right", no_wrap=True)
    targets = {p["name"]: p["target_ms"] for p in result["patterns"]}
    seq_lines = []
    for name, r in result["results"].items():
        ok = r["p95_ms"] is not None and targets.get(name) is not None and r["p95_ms"] <= targets[name]
        colour = "green" if ok else "red"
        b = base.get(name, {})
        seq = r.get("explain", {}).get("seq_scans_on_large_tables", [])
        if seq:
            seq_lines.append(f"{name}: sequential scan on {', '.join(seq)}")
        t.add_row(escape(name), f"{r['per_second']:,.0f}", _short(r["p50_ms"]), f"[{colour}]{_short(r['p95_ms'])}[/]",
                  _short(targets.get(name)), str(r["errors"] or ""), _short(b.get("p50_ms")))
    console.print(t)
    for line in seq_lines:
        console.print(f"[red]{escape(line)}[/]", highlight=False)
    checks = Table(title="targets", box=box.SIMPLE_HEAD, padding=(0, 1), title_justify="left")
    checks.add_column("figure", max_width=28, overflow="fold")
    checks.add_column("target", justify="right", no_wrap=True)
    checks.add_column("measured", justify="right", no_wrap=True)
    checks.add_column("result", max_width=26, overflow="fold")
    for c in result["targets"]:
        if c["name"].endswith(" p95"):
            continue
        colour = "green" if c["met"] else "red" if c["met"] is False else "yellow"
        checks.add_row(escape(c["name"]), f"{c['target']:,}", "-" if c["measured"] is None else f"{c['measured']:,}",
                       f"[{colour}]{escape(str(c['detail']))}[/]")
    met = sum(1 for c in result["targets"] if c["met"])
    console.print(checks)
    console.print(f"{met}/{len(result['targets'])} targets met")
    fl = result.get("floor", {})
    if fl:
        console.print(f"floor on this machine: SELECT 1 p50 {_ms(fl.get('select1_p50_ms'))}; pgbench select-only "
                      f"{fl.get('pgbench_select_only_tps') or '-'} TPS, TPC-B-like {fl.get('pgbench_tpcb_like_tps') or '-'}"
                      f" TPS; this workload: {result['throughput']['reads_per_second']:,.0f} reads/s, "
                      f"{result['throughput']['writes_per_second']:,.0f} writes/s")
    if "baseline_ratio" in result:
        for line in textwrap.wrap(f"value of the design: {result['baseline_ratio']['summary']}", 80,
                                  subsequent_indent="  "):
            console.print(line, highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add ``schemawright bench`` to the main command."""
    app.command("bench")(bench_cmd)
