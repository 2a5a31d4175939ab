"""Nothing invalid leaves the designer: the initial migration is applied on a server in a scratch
database, inside a transaction that is rolled back, before any file is written.

The server is ``$SCHEMAWRIGHT_CHECK_DSN`` when set, else the embedded server when it is running
(``schemawright db start``); with neither, only the static checks of the designer ran (expressions are
parsed and type-checked against the final column types as they are built) and this step is skipped.
``SCHEMAWRIGHT_CHECK_DSN=off`` turns it off. A statement the server rejects becomes an input error
(exit 2) located at the input field that produced the object: the error names the object, the
object's provenance names the field. A default that violates its column's CHECK is caught the same way:
one row of defaults is inserted (savepoint, rolled back) into every table whose other columns may be NULL.
"""

from __future__ import annotations

import os
import re

from schemawright.errors import SpecError, SpecProblem
from schemawright.model.schema import Schema

MIGRATION = "migrations/V001__initial_schema.sql"


def server_dsn() -> str | None:
    dsn = os.environ.get("SCHEMAWRIGHT_CHECK_DSN")
    if dsn is not None:
        return None if dsn.strip().lower() in ("", "off", "none", "0") else dsn
    try:
        from schemawright.db import embedded
        return embedded.url()
    except Exception:  # noqa: BLE001 - no embedded server: static checks only
        return None


def _path_key(path: str) -> tuple:
    out: list = []
    for name, index in re.findall(r"([A-Za-z_][\w]*)|\[(\d+)\]", path):
        out.append(int(index) if index else name)
    return tuple(out)


def _origin_of(schema: Schema, names: list[str]) -> str | None:
    """The input path of the first named object (constraint, index, column, table, function)."""
    for name in names:
        if not name:
            continue
        for t in schema.tables:
            members = [t.primary_key, *t.uniques, *t.checks, *t.foreign_keys, *t.indexes, *t.triggers, *t.columns]
            for m in members:
                if m is not None and m.name == name and m.origin.path:
                    return m.origin.path
            if t.name == name and t.origin.path:
                return t.origin.path
        for f in schema.functions:
            if f.name == name and f.origin.path:
                return f.origin.path
    return None


def _named(statement: str) -> list[str]:
    """Object names a DDL statement creates or alters, most specific first."""
    found = re.findall(r"\b(?:CONSTRAINT|INDEX|TRIGGER|FUNCTION|TABLE|VIEW|COLUMN)\s+(?:IF NOT EXISTS\s+)?"
                       r"(?:\"?[\w]+\"?\.)?\"?([\w]+)\"?", statement)
    return list(reversed(found))


def check(schema: Schema, artifacts, smap) -> None:
    """Apply V001 in a rolled-back transaction; raise SpecError (located) on the first rejected statement."""
    dsn = server_dsn()
    migration = next((a for a in artifacts if a.path == MIGRATION), None)
    if dsn is None or migration is None:
        return
    import psycopg

    from schemawright.db import scratch_database
    from schemawright.project.statements import split_statements
    statements = [s for s in split_statements(migration.content, MIGRATION) if not s.non_transactional]
    try:
        scratch = scratch_database(dsn, "sw_preflight")
        target = scratch.__enter__()
    except Exception:  # noqa: BLE001 - the server is not usable: static checks only
        return
    try:
        with psycopg.connect(target, autocommit=True) as conn:
            with conn.transaction(force_rollback=True):
                for st in statements:
                    try:
                        with conn.transaction():
                            conn.execute(st.text.encode())
                    except psycopg.Error as exc:
                        if st.kind == "CreateExtensionStmt":
                            return  # this server lacks the extension: it cannot judge the rest
                        _reject(schema, smap, st, exc)
                _defaults_hold(conn, schema, smap)
    finally:
        scratch.__exit__(None, None, None)


def _reject(schema: Schema, smap, st, exc) -> None:
    diag = exc.diag
    names = [diag.constraint_name, diag.column_name, *_named(st.text), diag.table_name]
    path = _origin_of(schema, names)
    message = (f"PostgreSQL rejects the design: {diag.message_primary or str(exc).strip()} "
               f"(SQLSTATE {diag.sqlstate}) in statement {st.number} of {MIGRATION} (line {st.line}): "
               f"{st.text.splitlines()[0][:120]}")
    problem = smap.problem(_path_key(path), message) if path else SpecProblem(message=message, file=smap.file)
    problem.hint = "the object comes from this input field: correct its type, expression or values"
    raise SpecError([problem])


def _defaults_hold(conn, schema: Schema, smap) -> None:
    """A column default must satisfy the column's own checks: evaluate each single-column CHECK with
    the default in place of the column."""
    from psycopg import sql
    for t in schema.tables:
        for ck in t.checks:
            if len(ck.columns) != 1:
                continue
            col = t.column(ck.columns[0])
            if col is None or col.default is None or col.generated is not None or col.identity:
                continue
            query = sql.SQL("SELECT ({check}) IS NOT FALSE FROM (SELECT ({default}) AS {col}) AS d").format(
                check=sql.SQL(ck.expression.sql), default=sql.SQL(col.default.sql), col=sql.Identifier(col.name))
            try:
                with conn.transaction():
                    ok = conn.execute(query).fetchone()[0]
            except Exception:  # noqa: BLE001 - an expression that needs the table's context: not judged here
                continue
            if not ok:
                path = col.origin.path or ck.origin.path
                message = (f"the default of {t.name}.{col.name} ({col.default.sql}) violates its check "
                           f"{ck.name} ({ck.expression.sql})")
                problem = smap.problem(_path_key(path), message) if path else SpecProblem(message=message)
                problem.expected = "a default the column's checks accept"
                raise SpecError([problem])


def check_sqlite(artifacts) -> None:
    """A SQLite design's V001 applied to an in-memory database: DDL SQLite rejects is never written (the
    translation is schemawright's, so a rejection is reported as its own error, naming the statement)."""
    import sqlite3

    from schemawright.errors import SchemawrightError

    text = next((a.content for a in artifacts if a.path == MIGRATION), None)
    if text is None:
        return
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(text)
    except sqlite3.Error as exc:
        raise SchemawrightError(f"the SQLite translation of the design was rejected by SQLite {sqlite3.sqlite_version}: "
                                f"{exc}") from None
    finally:
        conn.close()
