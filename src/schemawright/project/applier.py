"""The one SQL applier: ordinary statements in transactional groups, and the statements that cannot run in
a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ALTER TYPE ... ADD VALUE whose label is usable only
once committed...) alone, by the rule of :func:`schemawright.project.statements.non_transactional`.

    apply_sql(conn, text, name)  a script the user gave (a .sql source, a migration to try): raises
    apply_files(conn, files)     the migrations of a project folder: returns the first failure as text
    segments(statements)         the grouping itself, for runners that keep their own bookkeeping

Used by verify, seed, lint, diff (through the loader) and the importers; the migration runner groups its
statements with ``segments`` and keeps its history and resume bookkeeping around each group. (advise
replays pg_dump output statement by statement on purpose, skipping what a sample breaks.)
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import psycopg
from pglast import split
from pglast.parser import ParseError, parse_sql_json

from schemawright.errors import DatabaseError, SchemawrightError
from schemawright.project.errors import MigrationError
from schemawright.project.statements import Statement, non_transactional, split_statements

_TRANSACTION_RE = re.compile(r"^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b", re.IGNORECASE)
# Words one of which every statement that must run alone contains (see project.statements.non_transactional).
_ALONE_HINT_RE = re.compile(r"concurrently|add\s+value|database|vacuum|cluster|reindex|system|tablespace|subscription",
                            re.IGNORECASE)

T = TypeVar("T")


class SourceError(SchemawrightError):
    """A diff/lint/import source that cannot be read."""

    exit_code = 2


def segments(statements: Iterable[T], alone) -> Iterator[tuple[bool, list[T]]]:
    """Consecutive statements grouped: ``(False, run)`` for a run to execute in one transaction,
    ``(True, run)`` for statements that must each run on their own (``alone(statement)`` says which)."""
    for is_alone, group in itertools.groupby(statements, key=lambda st: bool(alone(st))):
        yield is_alone, list(group)


def apply_sql(conn: psycopg.Connection, text: str, name: str = "<sql>") -> None:
    """Run a SQL script on an autocommit connection: statements split by pglast, consecutive ones in
    one transaction, and those that cannot run in a transaction block alone. A script with its own
    BEGIN/COMMIT runs statement by statement."""
    try:
        statements = split(text)
    except Exception as exc:  # pglast reports syntax errors with their position
        raise SourceError(f"{name}: cannot be parsed as SQL: {exc}") from exc
    own_transactions = any(_TRANSACTION_RE.match(s) for s in statements)
    for alone, group in segments(statements, lambda s: own_transactions or runs_outside_transaction(s)):
        if alone:
            for statement in group:
                _execute(conn, statement, name)
        else:
            with conn.transaction():
                for statement in group:
                    _execute(conn, statement, name)


def _execute(conn: psycopg.Connection, statement: str, name: str) -> None:
    try:
        conn.execute(statement)
    except psycopg.Error as exc:
        excerpt = " ".join(statement.split())[:120]
        raise DatabaseError(f"{name}: {str(exc).strip()}\n  in: {excerpt}") from exc


def runs_outside_transaction(statement: str) -> bool:
    """Whether a SQL statement must run on its own, outside a transaction block (the migration runner's
    rule: CREATE INDEX CONCURRENTLY, VACUUM, ALTER TYPE ... ADD VALUE whose label is usable only once
    committed...)."""
    if not _ALONE_HINT_RE.search(statement):  # cheap: most statements of a script are plain DDL or data
        return False
    try:
        trees = json.loads(parse_sql_json(statement)).get("stmts", [])
    except ParseError:  # not parsable here: let the server judge it
        return False
    return any(non_transactional(t.get("stmt")) for t in trees)


def apply_files(conn: psycopg.Connection, files: list[Path]) -> list[str]:
    """Apply each migration file as the migration runner does (split by :func:`split_statements`, grouped
    by :func:`segments`); stop at the first failure and return it as ``["<file>: <sqlstate> <message>"]``."""
    for f in files:
        try:
            statements = split_statements(f.read_text(encoding="utf-8"), f.name)
        except MigrationError as exc:
            return [str(exc)]
        for alone, group in segments(statements, _alone):
            try:
                if alone:
                    for st in group:
                        conn.execute(st.text)
                else:
                    with conn.transaction():
                        for st in group:
                            conn.execute(st.text)
            except psycopg.Error as exc:
                return [f"{f.name}: {exc.diag.sqlstate} {exc.diag.message_primary}"]
    return []


def _alone(statement: Statement) -> bool:
    return bool(statement.non_transactional)
