"""``schemawright bench``: seed a scratch database, run the workload, compare every figure with its target.

The same run measures this machine's floor (a SELECT 1 round trip; pgbench select-only and
TPC-B-like TPS) and the same workload on the same data with primary keys only (what an ORM left to
its defaults often gives), so the results read as ratios.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from psycopg import sql
from rich.console import Console

from schemawright.analysis.storage import measured_storage, storage_estimate
from schemawright.bench.patterns import Pattern, generated_patterns, input_patterns
from schemawright.bench.runner import explain, hit_ratios, pgbench_floor, reset_stats, run_mix, select1_floor
from schemawright.bench.targets import evaluate
from schemawright.db import connect, resolve_dsn, scratch_database
from schemawright.seed.run import seed_source
from schemawright.seed.source import Source, load_source


def _large_tables(conn) -> dict[str, int]:
    rows = conn.execute("SELECT relname, greatest(reltuples, 0)::bigint FROM pg_class c JOIN pg_namespace n "
                        "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind IN ('r', 'p')").fetchall()
    return dict(rows)


def strip_to_primary_keys(conn, source: Source) -> int:
    """Drop every foreign key, unique constraint and secondary index; keep primary keys. Returns the count."""
    names = [f'"{t.schema}"."{t.name}"' for t in source.schema.tables]
    cons = conn.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) "
                        "AND contype IN ('f', 'u') ORDER BY contype = 'f' DESC", [names]).fetchall()
    for rel, name in cons:
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(rel), sql.Identifier(name)))
    idx = conn.execute("SELECT indexrelid::regclass::text FROM pg_index i WHERE indrelid = ANY(%s::regclass[]) "
                       "AND NOT indisprimary AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = "
                       "i.indexrelid)", [names]).fetchall()
    for (name,) in idx:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    conn.execute("ANALYZE")
    return len(cons) + len(idx)


def _phase(console: Console | None, text: str) -> None:
    if console:
        console.print(f"[dim]bench:[/] {text}")


def _summaries(patterns: list[Pattern], stats, seconds: float) -> dict[str, dict]:
    return {p.name: stats[p.name].summary(seconds) for p in patterns}


def bench(path: str | Path, dsn: str | None = None, *, scale: float = 0.01, duration: float = 10.0,
          clients: int = 4, warmup: float = 2.0, seed: int = 42, baseline: bool = True, floor: bool = True,
          max_rows: int = 1_000_000, console: Console | None = None) -> dict:
    """Run the whole benchmark and return the bench.json document."""
    source = load_source(path)
    server = resolve_dsn(dsn)
    started = time.time()
    result: dict = {"project": source.name, "scale": scale, "clients": clients, "duration_s": duration,
                    "warmup_s": warmup, "seed": seed, "started": dt.datetime.now(dt.timezone.utc).isoformat()}
    with scratch_database(server, prefix="sw_bench") as db:
        _phase(console, f"seeding a scratch database at scale {scale}")
        seeded = seed_source(source, db, scale=scale, seed=seed, console=console, max_rows=max_rows)
        result["seed"] = seeded.load.to_dict()
        with connect(db, autocommit=True) as conn:
            conn.execute("ANALYZE")
            patterns = generated_patterns(conn, source.schema, seeded.plan) + input_patterns(conn, source.schema)
            result["patterns"] = [p.to_dict() for p in patterns]
            result["storage"] = {"estimated": storage_estimate(source.schema, {t.name: t.rows for t in seeded.plan.tables}),
                                 "measured": measured_storage(conn, source.schema)}
            large = _large_tables(conn)
            reset_stats(conn)
        _phase(console, f"running {len(patterns)} patterns with {clients} clients for {duration:g}s "
                        f"(+{warmup:g}s warm-up)")
        stats, seconds = run_mix(db, patterns, clients=clients, duration=duration, warmup=warmup, seed=seed)
        with connect(db, autocommit=True) as conn:
            result["ratios"] = hit_ratios(conn)
            _phase(console, "EXPLAIN (ANALYZE, BUFFERS) of every pattern")
            plans = {p.name: explain(conn, p, large) for p in patterns}
        result["results"] = _summaries(patterns, stats, seconds)
        writes = [p for p in patterns if p.writes]
        if writes:
            _phase(console, f"write throughput: write patterns only for {duration / 2:g}s")
            wstats, wsec = run_mix(db, writes, clients=clients, duration=duration / 2, warmup=0, seed=seed + 2)
            result["write_only"] = {"per_second": round(sum(s.calls for s in wstats.values()) / wsec, 1),
                                    "errors": sum(s.errors for s in wstats.values())}
        for p in patterns:
            result["results"][p.name]["explain"] = plans[p.name]
        if baseline:
            with connect(db, autocommit=True) as conn:
                dropped = strip_to_primary_keys(conn, source)
                reset_stats(conn)
            _phase(console, f"same workload with primary keys only ({dropped} constraints/indexes dropped)")
            base, _ = run_mix(db, patterns, clients=clients, duration=duration, warmup=warmup, seed=seed + 1)
            with connect(db, autocommit=True) as conn:
                base_plans = {p.name: explain(conn, p, large) for p in patterns}
            result["baseline"] = {"dropped": dropped, "results": _summaries(patterns, base, seconds)}
            for p in patterns:
                result["baseline"]["results"][p.name]["seq_scans_on_large_tables"] = \
                    base_plans[p.name].get("seq_scans_on_large_tables", [])
    if floor:
        _phase(console, "measuring the floor: SELECT 1 round trip, pgbench select-only and TPC-B-like")
        result["floor"] = {**select1_floor(server), **pgbench_floor(server, clients, min(duration, 5))}
    result["targets"] = evaluate(source.schema, patterns, result)
    result["elapsed_s"] = round(time.time() - started, 1)
    return result
