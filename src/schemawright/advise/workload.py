"""Read a workload: a .sql file, PostgreSQL logs (text or jsonlog), a JSON list, CSV, or pg_stat_statements."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pglast
import psycopg

from schemawright.errors import SchemawrightError

_LOG_RE = re.compile(r"(?:statement|execute [^:]*): (.*)$")


def _statements(text: str) -> list[str]:
    try:
        return [s.strip() for s in pglast.split(text) if s.strip()]
    except pglast.parser.ParseError:
        return [s.strip() for s in text.split(";") if s.strip()]


def read_workload(path: str | Path) -> list[tuple[str, float]]:
    """(query, weight) pairs; repeated queries are counted once with their count as weight."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemawrightError(f"cannot read workload {path}: {exc.strerror}") from None
    queries: list[str] = []
    if path.suffix == ".json":
        stripped = text.lstrip()
        if stripped.startswith("["):
            items = json.loads(text)
            queries = [i if isinstance(i, str) else i.get("query") or i.get("sql") for i in items]
        else:  # jsonlog: one object a line with "message": "duration: ... statement: ..."
            for line in text.splitlines():
                if line.strip():
                    m = _LOG_RE.search(json.loads(line).get("message", ""))
                    if m:
                        queries.append(m.group(1))
    elif path.suffix == ".csv":
        for row in csv.reader(text.splitlines()):
            m = next((_LOG_RE.search(c) for c in row if _LOG_RE.search(c)), None)
            if m:
                queries.append(m.group(1))
    elif path.suffix == ".log":
        queries = [m.group(1) for line in text.splitlines() if (m := _LOG_RE.search(line))]
    else:
        queries = _statements(text)
    counts: dict[str, float] = {}
    for q in queries:
        if q:
            q = q.strip().rstrip(";")
            counts[q] = counts.get(q, 0) + 1
    if not counts:
        raise SchemawrightError(f"{path}: no queries found")
    return list(counts.items())


def from_pg_stat_statements(conn: psycopg.Connection, limit: int = 100) -> list[tuple[str, float]]:
    """The most time-consuming statements recorded by pg_stat_statements, weighted by calls."""
    try:
        rows = conn.execute("SELECT query, calls FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
                            "WHERE datname = current_database()) AND query ~* '^\\s*(select|update|delete|with)' "
                            "AND query !~* 'pg_stat_statements' "
                            "ORDER BY total_exec_time DESC LIMIT %s", [limit]).fetchall()
    except psycopg.Error as exc:
        raise SchemawrightError("pg_stat_statements is not available (CREATE EXTENSION pg_stat_statements, and "
                                f"shared_preload_libraries): {str(exc).strip()}") from None
    return [(q, float(c)) for q, c in rows]
