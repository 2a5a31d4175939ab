#!/usr/bin/env python3
"""Compare schemawright's migration lint with squawk (squawk-cli from PyPI) on two case sets.

1. squawk's own rule tests (``../shared/corpus/squawk-rules/squawk_linter_cases.jsonl``, 357 cases):
   per squawk rule, how many cases squawk's tests expect it to fire on, how often the squawk binary
   fires it, how often we fire an equivalent rule, and how often we agree with each.
2. our fixtures (``tests/lint_cases/*.yaml``): per rule of ours, how often squawk fires an
   equivalent rule on our ``fires:`` and ``quiet:`` snippets.

Then both tools lint the harbor migration history; the time is reported as a ratio to squawk's.

    .venv/bin/pip install squawk-cli   # the binary runs offline
    .venv/bin/python benchmarks/compare_squawk.py [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from schemawright.lint.engine import LintConfig
from schemawright.lint.migration import lint_migrations
from schemawright.lint.squawk import NO_EQUIVALENT, SQUAWK_EQUIVALENTS, our_codes, squawk_expects

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("SCHEMAWRIGHT_CORPUS") or ROOT.parent / "shared" / "corpus")
SQUAWK_CASES = CORPUS / "squawk-rules" / "squawk_linter_cases.jsonl"
HARBOR = CORPUS / "harbor" / "make" / "migrations" / "postgresql"
FIXTURES = ROOT / "tests" / "lint_cases"
# squawk's CLI reports require-timeout-settings under the names of its two halves.
REPORTED_AS = {"require-timeout-settings": {"require-lock-timeout", "require-statement-timeout"}}


def find_squawk() -> str | None:
    local = Path(sys.executable).parent / "squawk"
    return str(local) if local.exists() else shutil.which("squawk")


def run_squawk(squawk: str, sqls: list[str], settings: dict, rules: list[str]) -> list[set[str]]:
    """Rule names squawk reports for each SQL text (one binary run per settings group)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, sql in enumerate(sqls):
            path = Path(tmp) / f"case_{i:04d}.sql"
            path.write_text(sql, encoding="utf-8")
            paths.append(path)
        cmd = [squawk, "--reporter", "json", f"--include={','.join(rules)}", *map(str, paths)]
        if "pg_version" in settings:
            cmd.append(f"--pg-version={settings['pg_version']}")
        if settings.get("assume_in_transaction"):
            cmd.append("--assume-in-transaction")
        out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
        reported: dict[str, set[str]] = defaultdict(set)
        for item in json.loads(out or "[]"):
            reported[Path(item["file"]).name].add(item["rule_name"])
        return [reported[p.name] for p in paths]


def squawk_fires(reported: set[str], rule: str) -> bool:
    return bool(reported & REPORTED_AS.get(rule, {rule}))


@dataclass
class Report:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add_row(self, *cells: str) -> None:
        self.rows.append(list(cells))

    def render(self, console: Console, markdown: bool) -> None:
        if markdown:
            console.print(f"\n**{self.title}**\n", markup=False)
            console.print("| " + " | ".join(self.columns) + " |", markup=False)
            console.print("|" + "---|" * len(self.columns), markup=False)
            for row in self.rows:
                console.print("| " + " | ".join(row) + " |", markup=False, highlight=False)
            return
        table = Table(title=self.title)
        for i, col in enumerate(self.columns):
            table.add_column(col, justify="left" if i < 2 else "right")
        for row in self.rows:
            table.add_row(*row)
        console.print(table)


def compare_squawk_cases(squawk: str | None, limit: int | None = None) -> tuple[Report, Counter]:
    cases = [json.loads(line) for line in SQUAWK_CASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = cases[:limit] if limit is not None else cases
    rules = sorted({c["rule"] for c in cases})
    actual: list[set[str] | None] = [None] * len(cases)
    if squawk:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, case in enumerate(cases):
            groups[json.dumps(case["settings"], sort_keys=True)].append(i)
        for key, indexes in groups.items():
            found_all = run_squawk(squawk, [cases[i]["sql"] for i in indexes], json.loads(key), rules)
            for i, found in zip(indexes, found_all, strict=True):
                actual[i] = found
    table = Report("squawk's rule tests: squawk vs schemawright, per squawk rule",
                   ["squawk rule", "ours", "cases", "squawk tests expect", "squawk fires", "we fire",
                    "agree w/ tests", "agree w/ squawk", "unparsed"])
    totals: Counter = Counter()
    for rule in rules:
        row: Counter = Counter()
        for case, found in zip(cases, actual, strict=True):
            if case["rule"] != rule:
                continue
            row["cases"] += 1
            expected = squawk_expects(case)
            row["expect"] += expected
            fired = found is not None and squawk_fires(found, rule)
            row["squawk"] += fired
            codes = our_codes(case["sql"], case["settings"])
            if codes is None:
                row["unparsed"] += 1
                continue
            ours = bool(codes & set(SQUAWK_EQUIVALENTS.get(rule, ())))
            row["ours"] += ours
            row["agree_tests"] += ours == expected
            row["agree_squawk"] += ours == fired
            row["parsed"] += 1
        mapped = rule in SQUAWK_EQUIVALENTS
        if mapped:
            totals.update(row)
        squawk_col = str(row["squawk"]) if squawk else "-"
        agree_squawk = f"{row['agree_squawk']}/{row['parsed']}" if squawk and mapped else "-"
        table.add_row(rule, ", ".join(SQUAWK_EQUIVALENTS.get(rule, ("none",))), str(row["cases"]), str(row["expect"]),
                      squawk_col, str(row["ours"]) if mapped else "-",
                      f"{row['agree_tests']}/{row['parsed']}" if mapped else "-", agree_squawk, str(row["unparsed"]))
    table.add_row("all mapped rules", "", str(totals["cases"]), str(totals["expect"]),
                  str(totals["squawk"]) if squawk else "-", str(totals["ours"]),
                  f"{totals['agree_tests']}/{totals['parsed']}",
                  f"{totals['agree_squawk']}/{totals['parsed']}" if squawk else "-", str(totals["unparsed"]))
    return table, totals


def compare_our_fixtures(squawk: str) -> Report:
    ours_to_squawk: dict[str, set[str]] = defaultdict(set)
    for squawk_rule, codes in SQUAWK_EQUIVALENTS.items():
        for code in codes:
            ours_to_squawk[code] |= REPORTED_AS.get(squawk_rule, {squawk_rule})
    snippets: dict[str, list[tuple[str, str, int]]] = defaultdict(list)  # settings -> (sql, kind, rule)
    for path in sorted(FIXTURES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("fires", "quiet"):
            for case in data.get(kind) or ():
                case = {"sql": case} if isinstance(case, str) else case
                sql = case.get("sql") or "\n".join(case["files"])  # squawk lints one file at a time
                settings = {k: v for k, v in (case.get("settings") or {}).items() if k != "per_file"}
                snippets[json.dumps(settings, sort_keys=True)].append((sql, kind, data["rule"]))
    counts: dict[str, Counter] = defaultdict(Counter)
    for key, items in snippets.items():
        found = run_squawk(squawk, [sql for sql, _, _ in items], json.loads(key), list(SQUAWK_EQUIVALENTS))
        for (_, kind, rule), reported in zip(items, found, strict=True):
            counts[rule][kind] += 1
            counts[rule][f"squawk_{kind}"] += bool(reported & ours_to_squawk.get(rule, set()))
    table = Report("our fixtures: does squawk fire an equivalent rule?",
                   ["rule", "squawk equivalent", "fires cases", "squawk fires", "quiet cases", "squawk fires (quiet)"])
    for rule in sorted(counts):
        c = counts[rule]
        equivalent = ", ".join(sorted(ours_to_squawk.get(rule, set()))) or "none"
        table.add_row(rule, equivalent, str(c["fires"]), str(c["squawk_fires"]), str(c["quiet"]),
                      str(c["squawk_quiet"]))
    return table


def time_harbor(squawk: str | None) -> str:
    files = sorted(HARBOR.glob("*.sql"))
    start = time.perf_counter()
    result = lint_migrations([HARBOR], config=LintConfig(options={"per_file": True}))
    ours = time.perf_counter() - start
    text = f"harbor: {len(files)} files, {result.statements} statements, {len(result.findings)} findings (per file)"
    if squawk:
        start = time.perf_counter()
        subprocess.run([squawk, "--reporter", "json", *map(str, files)], capture_output=True, check=False)
        floor = time.perf_counter() - start
        text += f"; time ratio schemawright/squawk = {ours / floor:.1f}x (squawk {floor * 1000:.0f} ms)"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--limit", type=int, default=None,
                        help="only the first N of squawk's cases, no harbor timing (the test suite's quick mode)")
    args = parser.parse_args()
    if not SQUAWK_CASES.exists():
        print(f"corpus absent: {SQUAWK_CASES}", file=sys.stderr)
        return 2
    squawk = find_squawk()
    console = Console(width=200, no_color=args.markdown, soft_wrap=args.markdown)
    if not squawk:
        console.print("squawk not found (.venv/bin/pip install squawk-cli): squawk columns are empty")
    table, totals = compare_squawk_cases(squawk, args.limit)
    table.render(console, args.markdown)
    console.print(f"agreement with squawk's tests on mapped rules: {totals['agree_tests']}/{totals['parsed']} "
                  f"= {totals['agree_tests'] / totals['parsed']:.1%}; no equivalent: {', '.join(NO_EQUIVALENT)}")
    if squawk:
        compare_our_fixtures(squawk).render(console, args.markdown)
    if args.limit is None:
        console.print(time_harbor(squawk))
    return 0


if __name__ == "__main__":
    sys.exit(main())
