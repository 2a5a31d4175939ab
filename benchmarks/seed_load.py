"""Seed load speed as a ratio to this machine's raw COPY floor, both measured in this run.

floor: the same rows, generated beforehand and held in memory, COPYed into the same (constraint-free)
tables: what the server can take with no generation work. load: ``schemawright seed``'s COPY phase
(generation in worker processes + COPY). Aim: load >= 0.5 x floor. Also prints the whole seed time
(constraints and indexes rebuilt, VACUUM ANALYZE).

    .venv/bin/python benchmarks/seed_load.py [--spec examples/ecommerce.json] [--scale 0.01] [--dsn URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from schemawright.db import connect, resolve_dsn, scratch_database
from schemawright.datagen.plan import build_plan
from schemawright.seed.load import copy_statement, ensure_partitions, load_plan, set_aside
from schemawright.seed.source import ensure_schema, load_source

ROOT = Path(__file__).resolve().parents[1]


def floor(dsn: str, source, scale: float, seed: int, max_rows: int) -> tuple[int, float]:
    plan = build_plan(source.schema, scale=scale, seed=seed, until=dt.date(2026, 1, 1), max_rows=max_rows)
    blocks = [(tp, [tp.block(s, min(5000, tp.rows - s)) for s in range(0, tp.rows, 5000)]) for tp in plan.tables]
    with scratch_database(dsn, prefix="sw_bench_floor") as db, connect(db, autocommit=True) as conn:
        ensure_schema(conn, source)
        with conn.transaction():
            set_aside(conn, plan)
            ensure_partitions(conn, plan)
            start = time.perf_counter()
            for tp, bs in blocks:
                with conn.cursor() as cur, cur.copy(copy_statement(tp)) as cp:
                    for b in bs:
                        cp.write(b)
            seconds = time.perf_counter() - start
    return plan.total_rows, seconds


def load(dsn: str, source, scale: float, seed: int, workers: int | None, max_rows: int) -> dict:
    plan = build_plan(source.schema, scale=scale, seed=seed, until=dt.date(2026, 1, 1), max_rows=max_rows)
    with scratch_database(dsn, prefix="sw_bench_seed") as db, connect(db, autocommit=True) as conn:
        ensure_schema(conn, source)
        start = time.perf_counter()
        report = load_plan(conn, plan, workers=workers)
        total = time.perf_counter() - start
    return {**report.to_dict(), "total_seconds": round(total, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=str(ROOT / "examples" / "ecommerce.json"))
    ap.add_argument("--scale", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dsn", default=None)
    ap.add_argument("--max-rows", type=int, default=500_000, help="cap per table (the floor holds all rows in memory)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    dsn = resolve_dsn(args.dsn)
    source = load_source(args.spec)
    floors, loads = [], []
    for _ in range(args.repeat):  # interleaved: both see the same machine state
        rows, seconds = floor(dsn, source, args.scale, args.seed, args.max_rows)
        floors.append(rows / seconds)
        loads.append(load(dsn, source, args.scale, args.seed, args.workers, args.max_rows))
    floors.sort()
    loads.sort(key=lambda r: r["copy_rows_per_second"])
    f, ld = floors[len(floors) // 2], loads[len(loads) // 2]
    result = {"spec": args.spec, "scale": args.scale, "rows": ld["rows"],
              "floor_rows_per_second": round(f), "floor_runs": [round(x) for x in floors],
              "load_rows_per_second": ld["copy_rows_per_second"],
              "load_runs": [r["copy_rows_per_second"] for r in loads],
              "ratio_to_floor": round(ld["copy_rows_per_second"] / f, 3),
              "whole_seed_seconds": ld["total_seconds"], "constraint_seconds": ld["constraint_seconds"],
              "vacuum_seconds": ld["vacuum_seconds"],
              "whole_seed_rows_per_second": round(ld["rows"] / ld["total_seconds"])}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['rows']:,} rows ({Path(args.spec).name}, scale {args.scale}), median of {args.repeat} runs")
    print(f"  raw COPY floor (pre-generated rows): {result['floor_rows_per_second']:>10,} rows/s")
    print(f"  seed COPY phase (generate + COPY):   {result['load_rows_per_second']:>10,} rows/s"
          f"   = {result['ratio_to_floor']:.2f} x floor (aim >= 0.5)")
    print(f"  whole seed incl. keys, indexes, FKs, VACUUM ANALYZE: {result['whole_seed_seconds']:.2f} s "
          f"({result['whole_seed_rows_per_second']:,} rows/s)")


if __name__ == "__main__":
    sys.exit(main())
