"""Kill-safety for statements that cannot run in a transaction.

Before such a statement runs, the history row records the statements committed so far; after it, the
count moves on. A runner killed in between leaves the count one short, so the next run resumes AT that
statement, not knowing whether it ran, half ran or never started. ``still_to_run`` finds out from the
catalog where it can:

- CREATE INDEX CONCURRENTLY name: a valid index of that name means done; an invalid one (left by an
  interrupted build) is dropped concurrently and the statement runs again;
- DROP INDEX CONCURRENTLY name: done when the index is gone;
- ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY: done when detached; a detach left pending is
  completed with ``DETACH PARTITION ... FINALIZE``;
- ALTER TYPE ... ADD VALUE: done when the label exists;
- CREATE/DROP DATABASE and TABLESPACE: done when the object exists (is gone).

Anything else (VACUUM, REINDEX CONCURRENTLY, CLUSTER, ALTER SYSTEM, ...) simply runs again: running
it twice is harmless. Unnamed CREATE INDEX CONCURRENTLY cannot be recognised and runs again too.
"""

from __future__ import annotations

import psycopg
from pglast import ast
from psycopg import sql

from schemawright.model.names import quote_ident
from schemawright.project.statements import Statement, dropped_index


def _regclass_text(parts: list[str | None]) -> str:
    return ".".join(quote_ident(p) for p in parts if p)


def _range_var(rv: ast.RangeVar) -> list[str | None]:
    return [rv.schemaname, rv.relname]


def index_validity(conn: psycopg.Connection, stmt: Statement) -> bool | None:
    """For a named CREATE INDEX CONCURRENTLY: None if no such index exists, else whether it is valid."""
    node = stmt.node
    if not isinstance(node, ast.IndexStmt) or not node.idxname:
        return None
    row = conn.execute(
        "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
        "WHERE c.relname = %s AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = to_regclass(%s))",
        (node.idxname, _regclass_text(_range_var(node.relation)))).fetchone()
    return None if row is None else row[0]


def drop_invalid_index(conn: psycopg.Connection, stmt: Statement) -> None:
    """Drop the invalid index an interrupted or failed CREATE INDEX CONCURRENTLY left behind."""
    node = stmt.node
    schema = node.relation.schemaname or conn.execute(
        "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(%s)",
        (_regclass_text(_range_var(node.relation)),)).fetchone()[0]
    conn.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(sql.Identifier(schema, node.idxname)))


def still_to_run(conn: psycopg.Connection, stmt: Statement) -> bool:
    """Whether an interrupted non-transactional statement must (still) run; repairs what it can."""
    node = stmt.node
    match node:
        case ast.IndexStmt():
            valid = index_validity(conn, stmt)
            if valid is False:
                drop_invalid_index(conn, stmt)
            return valid is not True
        case ast.DropStmt() if (parts := dropped_index(node)) is not None:
            return _one(conn, "SELECT to_regclass(%s) IS NOT NULL", _regclass_text(parts))
        case ast.AlterEnumStmt(oldVal=None):
            names = [n.sval for n in node.typeName]
            return not _one(conn, "SELECT EXISTS (SELECT 1 FROM pg_enum WHERE enumtypid = to_regtype(%s) "
                                  "AND enumlabel = %s)", _regclass_text(names), node.newVal)
        case ast.AlterTableStmt():
            return _detach(conn, node)
        case ast.CreatedbStmt():
            return not _one(conn, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", node.dbname)
        case ast.DropdbStmt():
            return _one(conn, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", node.dbname)
        case ast.CreateTableSpaceStmt():
            return not _one(conn, "SELECT EXISTS (SELECT 1 FROM pg_tablespace WHERE spcname = %s)",
                            node.tablespacename)
        case ast.DropTableSpaceStmt():
            return _one(conn, "SELECT EXISTS (SELECT 1 FROM pg_tablespace WHERE spcname = %s)", node.tablespacename)
    return True


def _one(conn: psycopg.Connection, query: str, *params) -> bool:
    return bool(conn.execute(query, params).fetchone()[0])


def _detach(conn: psycopg.Connection, node: ast.AlterTableStmt) -> bool:
    cmd = next(c for c in node.cmds if isinstance(c.def_, ast.PartitionCmd))
    parent, child = _range_var(node.relation), _range_var(cmd.def_.name)
    row = conn.execute("SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = to_regclass(%s) "
                       "AND inhparent = to_regclass(%s)", (_regclass_text(child), _regclass_text(parent))).fetchone()
    if row is None:
        return False  # already detached
    if row[0]:
        conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {} FINALIZE").format(
            sql.Identifier(*filter(None, parent)), sql.Identifier(*filter(None, child))))
        return False
    return True
