#!/usr/bin/env python3
"""Compare schemawright's schema lint with Supabase's splinter on splinter's own tests, then lint the samples.

1. splinter's tests (``../shared/corpus/splinter/test``): every script is replayed on a scratch database;
   at each ``select ... from lint."NNNN_x"`` our lint runs on the same connection, and the objects our
   equivalent rules flag are compared with the rows splinter's expected output lists (found by both,
   only us, only them, per splinter lint; ``not replayed``: the script needs an extension we lack).
2. Pagila, Northwind and Chinook loaded (schema and data) into PostgreSQL and linted live: findings per
   rule, with the splinter lint each rule corresponds to. splinter's lint queries are not in the corpus,
   so this half cannot show what splinter would report on them.

    .venv/bin/python benchmarks/compare_splinter.py [--dsn URL] [--markdown]

The differences are explained in docs/lint-vs-splinter.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from schemawright.db import resolve_dsn
from schemawright.lint.schema import SCHEMA_RULES
from schemawright.lint.splinter import EQUIVALENTS, SAMPLE_SCHEMAS, compare, lint_sample, replay, summarize

CORPUS = Path(os.environ.get("SCHEMAWRIGHT_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")
SPLINTER = CORPUS / "splinter"


def replay_first(limit: int, dsn: str) -> list:
    """``compare`` on the first ``limit`` test scripts that have an expected output."""
    test = SPLINTER / "test"
    scripts = [s for s in sorted((test / "sql").glob("*.sql")) if (test / "expected" / f"{s.stem}.out").is_file()]
    return [p for s in scripts[:limit] for p in replay(s, test / "expected" / f"{s.stem}.out",
                                                       test / "fixtures.sql", dsn)]


def splinter_table(summary: dict[str, Counter]) -> tuple[list[str], list[list[str]], Counter]:
    head = ["splinter lint", "our rules", "checkpoints", "both", "only us", "only them", "not replayed"]
    rows, totals = [], Counter()
    for lint, counts in sorted(summary.items()):
        ours = ", ".join(EQUIVALENTS[lint][0]) if lint in EQUIVALENTS else "-"
        rows.append([lint, ours, str(counts["checkpoints"]), str(counts["both"]), str(counts["only_us"]),
                     str(counts["only_them"]), str(counts["not_replayed"])])
        key = "mapped" if lint in EQUIVALENTS else "unmapped"
        for field in ("both", "only_us", "only_them", "not_replayed", "checkpoints"):
            totals[f"{key}_{field}"] += counts[field]
    return head, rows, totals


def sample_table(results: dict[str, tuple[Counter, float]]) -> tuple[list[str], list[list[str]]]:
    splinter_of: dict[str, list[str]] = {}
    for lint, (rules, _) in EQUIVALENTS.items():
        for rule in rules:
            splinter_of.setdefault(rule, []).append(lint[:4])
    names = {r.code: r.name for r in SCHEMA_RULES}
    codes = sorted({code for counts, _ in results.values() for code in counts})
    head = ["rule", "name", "splinter lint", *results]
    rows = [[code, names[code], ", ".join(splinter_of.get(code, ["-"])), *(str(results[s][0][code]) for s in results)]
            for code in codes]
    rows.append(["total", "", "", *(str(sum(results[s][0].values())) for s in results)])
    rows.append(["seconds", "", "", *(f"{results[s][1]:.2f}" for s in results)])
    return head, rows


def show(title: str, head: list[str], rows: list[list[str]], markdown: bool, console: Console) -> None:
    if markdown:
        print(f"\n### {title}\n")
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    table = Table(title=title)
    for name in head:
        table.add_column(name)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", help="server for the scratch databases (default: the embedded PostgreSQL)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables (for docs/lint-vs-splinter.md)")
    parser.add_argument("--limit", type=int, default=None,
                        help="only the first N test scripts and the first sample (the test suite's quick mode)")
    args = parser.parse_args()
    if not SPLINTER.is_dir():
        print(f"corpus absent: {SPLINTER}", file=sys.stderr)
        return 2
    dsn = resolve_dsn(args.dsn)
    console = Console()
    with console.status("replaying splinter's tests"):
        started = time.perf_counter()
        points = compare(SPLINTER, dsn) if args.limit is None else replay_first(args.limit, dsn)
        replay_seconds = time.perf_counter() - started
    head, rows, totals = splinter_table(summarize(points))
    show("splinter's tests: objects flagged at each checkpoint", head, rows, args.markdown, console)
    flagged = totals["mapped_both"] + totals["mapped_only_us"] + totals["mapped_only_them"]
    print(f"\nlints with an equivalent rule: {len([k for k in summarize(points) if k in EQUIVALENTS])}; "
          f"objects flagged by both {totals['mapped_both']}, only us {totals['mapped_only_us']}, only splinter "
          f"{totals['mapped_only_them']} ({totals['mapped_both'] / max(flagged, 1):.0%} agreement); "
          f"lints without one: {totals['unmapped_only_them']} objects only splinter flags; "
          f"{totals['mapped_not_replayed'] + totals['unmapped_not_replayed']} not replayed; "
          f"{len(points)} checkpoints in {replay_seconds:.1f} s")
    results = {}
    for name in list(SAMPLE_SCHEMAS)[:1 if args.limit is not None else None]:
        with console.status(f"loading and linting {name}"):
            started = time.perf_counter()
            result = lint_sample(CORPUS, name, dsn)
            results[name] = (Counter(f.rule for f in result.findings), time.perf_counter() - started)
    head, rows = sample_table(results)
    show("sample schemas loaded in PostgreSQL (schema + data), linted live: findings per rule", head, rows,
         args.markdown, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
