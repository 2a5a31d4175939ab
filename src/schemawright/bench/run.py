"""``schemawright bench``: seed a scratch database, run the workload, compare every figure with its target.

The same run measures this machine's floor (a SELECT 1 round trip; pgbench select-only and
TPC-B-like TPS) and the same workload on the same data with primary keys only (what an ORM left to
its defaults often gives), so the results read as ratios.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import time
from pathlib import Path

from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from rich.console import Console

from schemawright.analysis.storage import measured_storage, storage_estimate
from schemawright.bench.patterns import Pattern, generated_patterns, input_patterns
from schemawright.bench.runner import (
    PatternStats, explain, hit_ratios, pgbench_floor, reset_stats, run_mix, select1_floor,
)
from schemawright.bench.targets import evaluate
from schemawright.db import connect, resolve_dsn, scratch_database, with_dbname
from schemawright.seed.run import seed_source
from schemawright.seed.source import Source, load_source


def _large_tables(conn) -> dict[str, int]:
    rows = conn.execute("SELECT relname, greatest(reltuples, 0)::bigint FROM pg_class c JOIN pg_namespace n "
                        "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind IN ('r', 'p')").fetchall()
    return dict(rows)


def strip_to_primary_keys(conn, source: Source) -> int:
    """Drop every foreign key, unique and exclusion constraint and secondary index; keep primary keys. Returns
    the count."""
    names = [f'"{t.schema}"."{t.name}"' for t in source.schema.tables]
    cons = conn.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) "
                        "AND contype IN ('f', 'u', 'x') ORDER BY contype = 'f' DESC", [names]).fetchall()
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


@contextlib.contextmanager
def _copy_database(server: str, source_dsn: str):
    """A copy of the database ``source_dsn`` names (CREATE DATABASE ... TEMPLATE), dropped afterwards."""
    name = f"sw_bench_base_{secrets.token_hex(6)}"
    template = conninfo_to_dict(source_dsn)["dbname"]
    with connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    try:
        yield with_dbname(server, name)
    finally:
        with connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _merge(runs: list[dict[str, PatternStats]]) -> dict[str, PatternStats]:
    out: dict[str, PatternStats] = {}
    for stats in runs:
        for name, st in stats.items():
            m = out.setdefault(name, PatternStats(name))
            m.calls += st.calls
            m.errors += st.errors
            m.error_sample = m.error_sample or st.error_sample
            m.latencies_ms.extend(st.latencies_ms)
    return out


def _alternate(db: str, base_db: str | None, patterns: list[Pattern], clients: int, duration: float,
               warmup: float, seed: int):
    """The designed schema (A) and the primary-key-only copy (B) in turns, A B A B, each for half of
    ``duration``: neither always runs first on a warmer cache or a quieter machine. Latencies are
    pooled over both turns, so p50 is the median over both."""
    if base_db is None:
        stats, seconds = run_mix(db, patterns, clients=clients, duration=duration, warmup=warmup, seed=seed)
        return stats, None, seconds
    designed, primary = [], []
    for turn in range(2):
        for target, runs, offset in ((db, designed, 0), (base_db, primary, 1)):
            stats, _ = run_mix(target, patterns, clients=clients, duration=duration / 2,
                               warmup=warmup if turn == 0 else 0, seed=seed + offset + 10 * turn)
            runs.append(stats)
    return _merge(designed), _merge(primary), duration


def bench(path: str | Path, dsn: str | None = None, *, scale: float = 0.01, duration: float = 10.0,
          clients: int = 4, warmup: float = 2.0, seed: int = 42, baseline: bool = True, floor: bool = True,
          max_rows: int = 1_000_000, console: Console | None = None) -> dict:
    """Run the whole benchmark and return the bench.json document."""
    source = load_source(path)
    server = resolve_dsn(dsn, source.schema.extensions)  # pgcrypto for encrypted columns
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
        with contextlib.ExitStack() as stack:
            base_db = None
            if baseline:  # the same rows, primary keys only: a copy made before any run touches them
                base_db = stack.enter_context(_copy_database(server, db))
                with connect(base_db, autocommit=True) as conn:
                    dropped = strip_to_primary_keys(conn, source)
                    conn.execute("ANALYZE")
            with connect(db, autocommit=True) as conn:
                reset_stats(conn)
            _phase(console, f"running {len(patterns)} patterns with {clients} clients for {duration:g}s "
                            f"(+{warmup:g}s warm-up)" + (", alternating with primary keys only (ABAB)" if baseline else ""))
            stats, base, seconds = _alternate(db, base_db, patterns, clients, duration, warmup, seed)
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
            if base_db is not None:
                with connect(base_db, autocommit=True) as conn:
                    base_plans = {p.name: explain(conn, p, large) for p in patterns}
                result["baseline"] = {"dropped": dropped, "order": "ABAB", "results": _summaries(patterns, base, seconds)}
                for p in patterns:
                    result["baseline"]["results"][p.name]["seq_scans_on_large_tables"] = \
                        base_plans[p.name].get("seq_scans_on_large_tables", [])
    if floor:
        _phase(console, "measuring the floor: SELECT 1 round trip, pgbench select-only and TPC-B-like")
        result["floor"] = {**select1_floor(server), **pgbench_floor(server, clients, min(duration, 5))}
    result["targets"] = evaluate(source.schema, patterns, result)
    # Every declared pattern is measured, or the run says which was not and why (bench_cmd exits 4).
    result["unmeasured"] = [
        {"pattern": p.name, "reason": (result["results"][p.name].get("error_sample") or "no call completed")}
        for p in patterns if p.source == "input" and not result["results"][p.name].get("calls")]
    result["elapsed_s"] = round(time.time() - started, 1)
    return result
