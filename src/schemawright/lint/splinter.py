"""Replay Supabase splinter's own lint tests and compare what it flags with what the schema lint flags.

The corpus (``../shared/corpus/splinter/test``) has splinter's pg_regress scripts (``sql/NNNN_*.sql``:
build objects, ``select ... from lint."NNNN_x"``, change something, select again) and their expected
output (``expected/*.out``: the rows splinter returns), not splinter's lint queries. Each script is
replayed on a scratch database after ``fixtures.sql`` (roles ``anon``/``authenticated``, schemas
``auth``/``extensions``), in one transaction the script's own ROLLBACK undoes; at every ``lint."..."``
query our lint runs on that connection, and the objects our equivalent rules flag are compared with
the rows splinter's expected output lists there.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import psycopg
from pglast import split

from schemawright.db import connect, scratch_database
from schemawright.lint.engine import LintConfig
from schemawright.lint.schema import LintResult, lint_connection
from schemawright.project.sources import apply_sql

# splinter lint -> (our rules, the granularity both sides are compared at)
EQUIVALENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "0001_unindexed_foreign_keys": (("SW401",), "fkey"),
    "0004_no_primary_key": (("SW201",), "table"),
    "0005_unused_index": (("SW702",), "table"),
    "0006_multiple_permissive_policies": (("SW610",), "table"),
    "0007_policy_exists_rls_disabled": (("SW602",), "table"),
    "0008_rls_enabled_no_policy": (("SW603",), "table"),
    "0009_duplicate_index": (("SW402",), "table"),
    "0010_security_definer_view": (("SW607",), "object"),
    "0011_function_search_path_mutable": (("SW604", "SW605"), "object"),
    "0013_rls_disabled_in_public": (("SW601",), "table"),
    "0014_extension_in_public": (("SW606",), "object"),
    "0016_materialized_view_in_api": (("SW613",), "object"),
    "0018_unsupported_reg_types": (("SW309",), "column"),
    "0020_table_bloat": (("SW704",), "table"),
    "0022_extension_versions_outdated": (("SW706",), "name"),
    "0023_sensitive_columns_exposed": (("SW612",), "table"),
    "0024_rls_policy_always_true": (("SW608",), "name"),
    "0028_anon_security_definer_function_executable": (("SW609",), "name"),
    "0029_authenticated_security_definer_function_executable": (("SW609",), "name"),
}
# Supabase's own schemas, which splinter never reports on; the fixtures put objects there.
INTERNAL_SCHEMAS = frozenset({"auth", "extensions", "lint", "storage", "graphql", "graphql_public", "realtime",
                              "vault", "pgsodium", "supabase_functions", "net", "cron", "pgmq"})
_CHECKPOINT = re.compile(r'lint\."(\d{4}_\w+)"')
_SEPARATOR = re.compile(r"^-+(\+-+)*$")
_ROWS = re.compile(r"^\((\d+) rows?\)$")


@dataclass
class Checkpoint:
    """One ``lint."..."`` query of a script: what splinter returned there and what we flagged."""

    script: str
    lint: str
    theirs: set[str] | None  # object keys; None when the query only returned a count
    their_count: int
    ours: set[str] = field(default_factory=set)
    error: str | None = None  # the script failed before this point (e.g. an extension we lack)

    def counts(self) -> Counter:
        if self.error is not None:
            return Counter(not_replayed=self.their_count)
        if self.theirs is None:
            both = min(len(self.ours), self.their_count)
            return Counter(both=both, only_us=len(self.ours) - both, only_them=self.their_count - both)
        return Counter(both=len(self.ours & self.theirs), only_us=len(self.ours - self.theirs),
                       only_them=len(self.theirs - self.ours))


def result_tables(out_text: str) -> list[tuple[str, list[dict[str, str]]]]:
    """``(statement text, rows)`` for every result table psql printed in an expected-output file."""
    lines = out_text.splitlines()
    found, statement, i = [], [], 0
    while i < len(lines):
        if i + 1 < len(lines) and _SEPARATOR.match(lines[i + 1]) and not _ROWS.match(lines[i].strip()):
            cuts = [m.start() for m in re.finditer(r"\+", lines[i + 1])]
            names = _cells(lines[i], cuts)
            rows, j = [], i + 2
            while j < len(lines) and not _ROWS.match(lines[j].strip()):
                rows.append(dict(zip(names, _cells(lines[j], cuts), strict=False)))
                j += 1
            found.append(("\n".join(statement), rows))
            statement, i = [], j + 1
            continue
        statement.append(lines[i])
        i += 1
    return found


def _cells(line: str, cuts: list[int]) -> list[str]:
    edges = [-1, *cuts, len(line) + 1]
    return [line[a + 1:b].strip() for a, b in pairwise(edges)]


def their_objects(lint: str, rows: list[dict[str, str]]) -> tuple[set[str] | None, int]:
    """The object keys of splinter's rows (or None and the count, for ``select count(*)`` queries)."""
    granularity = EQUIVALENTS.get(lint, ((), "table"))[1]
    if len(rows) == 1 and len(rows[0]) == 1 and next(iter(rows[0].values())).isdigit():
        return None, int(next(iter(rows[0].values())))
    keys = set()
    for row in rows:
        meta = json.loads(row["metadata"]) if row.get("metadata") else {}
        if granularity == "name":
            name = meta.get("extension_name") or meta.get("policy_name") or row.get("policy_name") or \
                row.get("func_name") or meta.get("name")
            keys.add(str(name))
        elif meta:
            key = f"{meta.get('schema')}.{meta.get('name')}"
            key += f".{meta['fkey_name']}" if granularity == "fkey" else ""
            key += f".{meta['column']}" if granularity == "column" else ""
            keys.add(key)
        else:
            keys.add(json.dumps(row, sort_keys=True))  # a row we cannot key: counted as its own object
    return keys, len(rows)


def our_key(path: str, granularity: str) -> str:
    base = path.split("(", 1)[0]
    parts = base.split(".")
    if granularity == "table":
        return ".".join(parts[:2])
    if granularity == "name":
        return parts[-1] if len(parts) > 2 else parts[1]
    return base


def replay(script: Path, expected: Path, fixtures: Path, dsn: str) -> list[Checkpoint]:
    """Replay one splinter test script on a scratch database on ``dsn``'s server."""
    tables = [(t, rows) for t, rows in result_tables(expected.read_text(encoding="utf-8")) if _CHECKPOINT.search(t)]
    checkpoints: list[Checkpoint] = []
    error = None
    with scratch_database(dsn, prefix="sw_splinter") as db, connect(db, autocommit=True) as conn:
        conn.add_notice_handler(lambda diag: None)  # "there is already a transaction in progress"
        conn.execute("BEGIN")  # the fixtures too: the script's final ROLLBACK leaves no role behind
        # pg_regress loads the fixtures in a session of their own: their search_path = '' does not carry over
        setup = [*split(fixtures.read_text(encoding="utf-8")), "RESET search_path"]
        for statement in [*setup, *split(script.read_text(encoding="utf-8"))]:
            match = _CHECKPOINT.search(statement)
            if match is None:
                if error is None:
                    try:
                        conn.execute(statement)
                    except psycopg.Error as exc:
                        error = f"{' '.join(statement.split())[:60]}: {str(exc).strip().splitlines()[0]}"
                continue
            lint = match.group(1)
            rows = tables[len(checkpoints)][1] if len(checkpoints) < len(tables) else []
            theirs, count = their_objects(lint, rows)
            point = Checkpoint(script.stem, lint, theirs, count, error=error)
            if error is None and lint in EQUIVALENTS:
                point.ours = _ours(conn, lint)
            checkpoints.append(point)
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")
    return checkpoints


def _ours(conn: psycopg.Connection, lint: str) -> set[str]:
    rules, granularity = EQUIVALENTS[lint]
    config = LintConfig(disable=frozenset(), options={"thresholds": {"bloat_min_bytes": 0}})
    result = lint_connection(conn, config=config, live=True)
    return {our_key(f.location.object, granularity) for f in result.findings
            if f.rule in rules and f.location.object and f.location.object.split(".")[0] not in INTERNAL_SCHEMAS}


def compare(corpus: Path, dsn: str) -> list[Checkpoint]:
    """Every checkpoint of every splinter test script with an expected output."""
    test = corpus / "test"
    points = []
    for script in sorted((test / "sql").glob("*.sql")):
        expected = test / "expected" / f"{script.stem}.out"
        if expected.is_file():
            points += replay(script, expected, test / "fixtures.sql", dsn)
    return points


def summarize(points: list[Checkpoint]) -> dict[str, Counter]:
    """Per splinter lint: checkpoints and objects found by both, only us, only splinter."""
    table: dict[str, Counter] = {}
    for point in points:
        counts = table.setdefault(point.lint, Counter())
        counts["checkpoints"] += 1
        counts["replay_errors"] += point.error is not None
        counts.update(point.counts())
    return table


# The sample schemas linted beside the replay (paths under the corpus); Chinook's script also creates and
# connects to its own database (``DROP/CREATE DATABASE``, psql's ``\c``), lines that are left out.
SAMPLE_SCHEMAS = {"pagila": "pagila/pagila-schema.sql", "northwind": "northwind-pg/northwind.sql",
                  "chinook": "chinook/Chinook_PostgreSql.sql"}
_OWN_DATABASE = re.compile(r"^\s*(\\|(DROP|CREATE)\s+DATABASE\b)", re.IGNORECASE)


def lint_sample(corpus: Path, name: str, dsn: str) -> LintResult:
    """Load a sample schema (with its data, if the script has any) into a scratch database and lint it live."""
    path = corpus / SAMPLE_SCHEMAS[name]
    text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not _OWN_DATABASE.match(line))
    with scratch_database(dsn, prefix=f"sw_{name}") as db, connect(db, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        apply_sql(conn, text, str(path))
        conn.execute("ANALYZE")
        return lint_connection(conn, live=True, target=name)
