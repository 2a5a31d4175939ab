#!/usr/bin/env python3
"""Benchmark: schema lint of a 1,000-table database, and of a 1,000-table design model.

Database: a generated 1,000-table schema (8-12 columns each, foreign keys to earlier tables, indexes,
comments, a sprinkle of anti-patterns) is loaded into a scratch database and linted live
(``lint_connection``: catalog model + catalog facts + activity statistics + all rules). The floor,
measured in the same run, is ``inspect_database`` alone: reading the schema model from the catalog,
which any catalog-based linter must do first. Model: the 1,000-entity task input of design_1000.py,
designed; the floor is reading its model JSON back (``schema_from_json``), the lint is ``lint_model``.

Reports CPU time of this process (``time.process_time``; the server's share of the database lint shows
in wall time), wall time, peak Python memory (tracemalloc, separate pass) and the ratios to the floors.
A report, not an assertion.

    .venv/bin/python benchmarks/lint_1000.py [--tables N] [--repeat R] [--dsn URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from design_1000 import generate  # noqa: E402  (the sibling benchmark's input generator)

from schemawright.api import design_schema  # noqa: E402
from schemawright.db import connect, resolve_dsn, scratch_database  # noqa: E402
from schemawright.lint.schema import lint_connection, lint_model  # noqa: E402
from schemawright.model.serialize import schema_from_json, schema_to_json  # noqa: E402
from schemawright.project.sources import apply_sql, inspect_database  # noqa: E402

COLUMN_TYPES = ["text", "varchar(255)", "integer", "bigint", "numeric(12,2)", "boolean", "timestamptz",
                "timestamp", "jsonb", "date", "double precision"]


def schema_sql(tables: int, seed: int = 11) -> str:
    """DDL of ``tables`` tables; table i references up to two of the 50 tables before it."""
    rng = random.Random(seed)
    out = []
    for i in range(tables):
        name = f"table_{i:04d}"
        cols = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
        cols += [f"col_{j} {rng.choice(COLUMN_TYPES)}" for j in range(rng.randint(6, 10))]
        if i % 7 == 0:
            cols.append("status text NOT NULL")
        refs = sorted(rng.sample(range(max(0, i - 50), i), min(i, rng.randint(0, 2))))
        cols += [f"table_{r:04d}_id bigint REFERENCES table_{r:04d} (id)" for r in refs]
        cols += ["created_at timestamptz NOT NULL DEFAULT now()", "updated_at timestamptz NOT NULL DEFAULT now()"]
        out.append(f"CREATE TABLE {name} ({', '.join(cols)});")
        for r in refs[: 1 if i % 3 else 0]:
            out.append(f"CREATE INDEX idx_{name}_table_{r:04d}_id ON {name} (table_{r:04d}_id);")
        if i % 5 == 0:
            out.append(f"CREATE INDEX idx_{name}_col_0 ON {name} (col_0);")
        if i % 2 == 0:
            out.append(f"COMMENT ON TABLE {name} IS 'Generated table {i}';")
    return "\n".join(out)


def timed(fn, *args, **kw):
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn(*args, **kw)
    return result, time.process_time() - cpu, time.perf_counter() - wall


def peak_mb(fn, *args, **kw) -> float:
    tracemalloc.start()
    fn(*args, **kw)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 1e6, 1)


def median(runs: list[float]) -> float:
    return round(statistics.median(runs), 3)


def bench_database(tables: int, repeat: int, dsn: str) -> dict:
    ddl = schema_sql(tables)
    with scratch_database(dsn, prefix="sw_lint_bench") as db, connect(db, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        _, _, load_wall = timed(apply_sql, conn, ddl, "generated.sql")
        conn.execute("ANALYZE")
        lint_connection(conn, live=True)  # warm-up: imports, catalog caches
        floor_cpu, floor_wall, lint_cpu, lint_wall = [], [], [], []
        for _ in range(repeat):
            _, cpu, wall = timed(inspect_database, conn)
            floor_cpu.append(cpu)
            floor_wall.append(wall)
            result, cpu, wall = timed(lint_connection, conn, live=True)
            lint_cpu.append(cpu)
            lint_wall.append(wall)
        floor_mem = peak_mb(inspect_database, conn)
        lint_mem = peak_mb(lint_connection, conn, live=True)
    return {
        "tables": tables, "findings": len(result.findings), "rules_run": len(result.rules),
        "top_rules": dict(Counter(f.rule for f in result.findings).most_common(5)),
        "load_sql_wall_s": round(load_wall, 2),
        "floor_inspect_cpu_s": median(floor_cpu), "floor_inspect_wall_s": median(floor_wall),
        "lint_cpu_s": median(lint_cpu), "lint_wall_s": median(lint_wall),
        "lint_to_floor_cpu": round(median(lint_cpu) / median(floor_cpu), 2),
        "lint_to_floor_wall": round(median(lint_wall) / median(floor_wall), 2),
        "floor_peak_mb": floor_mem, "lint_peak_mb": lint_mem,
    }


def bench_model(entities: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "input.json"
        spec.write_text(json.dumps(generate(entities)), encoding="utf-8")
        schema = design_schema(spec)[1]
    model_json = json.dumps(schema_to_json(schema))
    floor_cpu, lint_cpu = [], []
    lint_model(schema)  # warm-up
    for _ in range(repeat):
        _, cpu, _ = timed(lambda: schema_from_json(json.loads(model_json)))
        floor_cpu.append(cpu)
        result, cpu, _ = timed(lint_model, schema)
        lint_cpu.append(cpu)
    return {
        "tables": len(schema.tables), "findings": len(result.findings),
        "floor_load_json_cpu_s": median(floor_cpu), "lint_cpu_s": median(lint_cpu),
        "lint_to_floor_cpu": round(median(lint_cpu) / median(floor_cpu), 2),
        "floor_peak_mb": peak_mb(lambda: schema_from_json(json.loads(model_json))),
        "lint_peak_mb": peak_mb(lint_model, schema),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dsn", help="server for the scratch database (default: the embedded PostgreSQL)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {"database": bench_database(args.tables, args.repeat, resolve_dsn(args.dsn)),
              "model": bench_model(args.tables, args.repeat)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for part, values in report.items():
        print(part)
        for key, value in values.items():
            print(f"  {key:>22}: {value}")


if __name__ == "__main__":
    main()
