"""A scratch copy for trial index builds: same tables, indexes and views, a sample of the rows.

Building a candidate on the user's database, even in a transaction rolled back, holds a SHARE lock
that blocks writes for the length of the build. The copy is made on the same server with
``scratch_database``: the schemas the workload reads are inspected and re-rendered (extensions,
types, functions, tables, partitions, indexes and views; not foreign keys, which a sample would
break, nor triggers, grants, policies or roles), then up to ``sample_rows`` rows of each table are
streamed over with COPY and the copy is ANALYZEd. Costs are the planner's on the sample.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from schemawright.db import connect, scratch_database
from schemawright.dialects import get_dialect
from schemawright.inspect.postgres import inspect_schema

COPIED_KINDS = ("extension", "type", "function", "table", "partitions", "index", "view")


def server_dsn(conn: psycopg.Connection) -> str:
    """A DSN for ``conn``'s server and user (with the password it connected with, if any)."""
    password = conn.info.password
    return make_conninfo(conn.info.dsn, **({"password": password} if password else {}))


@contextlib.contextmanager
def scratch_copy(conn: psycopg.Connection, schemas: set[str], sample_rows: int,
                 skipped: list[str]) -> Iterator[psycopg.Connection]:
    """An autocommit connection to a scratch database holding ``schemas`` of ``conn``'s database and a
    sample of its rows; dropped afterwards. What could not be copied is added to ``skipped``."""
    with scratch_database(server_dsn(conn), prefix="sw_advise") as dsn, connect(dsn, autocommit=True) as copy:
        for name in sorted(schemas):
            model = inspect_schema(conn, schema=name)
            if name != "public":
                copy.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(name)))
            for statement in get_dialect().create_statements(model):
                if statement.kind in COPIED_KINDS:
                    try:
                        with copy.transaction():
                            copy.execute(sql.SQL(statement.sql))  # rendered from the catalog, quoted
                    except psycopg.Error as exc:  # e.g. an extension this server lacks
                        skipped.append(f"{statement.kind} {statement.name}: {str(exc).strip().splitlines()[0]}")
            for table in model.tables:
                _copy_rows(conn, copy, table.schema, table.name, sample_rows, skipped)
        copy.execute("ANALYZE")
        yield copy


def _copy_rows(src: psycopg.Connection, dst: psycopg.Connection, schema: str, table: str, limit: int,
               skipped: list[str]) -> None:
    columns = [r[0] for r in src.execute(
        "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT "
        "a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum", [sql.Identifier(schema, table).as_string(src)])]
    if not columns:
        return
    target = sql.SQL("{} ({})").format(sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    read = sql.SQL("COPY (SELECT {} FROM {} LIMIT {}) TO STDOUT (FORMAT binary)").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema, table), sql.Literal(limit))
    try:
        with dst.transaction(), src.cursor().copy(read) as out, \
                dst.cursor().copy(sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(target)) as into:
            for block in out:
                into.write(block)
    except psycopg.Error as exc:  # a table the copy lacks, or rows it rejects: its queries are costed empty
        skipped.append(f"rows of {schema}.{table}: {str(exc).strip().splitlines()[0]}")
