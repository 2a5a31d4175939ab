"""A scratch copy for trial index builds: the same schema, a sample of the rows.

Building a candidate on the user's database, even in a transaction rolled back, holds a SHARE lock
that blocks writes for the length of the build. The copy is made on the same server with
``scratch_database`` (so extensions and roles are the same):

- schema: ``pg_dump --schema-only`` (the first pg_dump at least as new as the server: the embedded
  server's own, then PATH and /usr/lib/postgresql) in two sections: pre-data (types, sequences,
  functions, tables) before the rows, post-data (keys, indexes, triggers, policies) after them, one
  statement at a time -- a foreign key the sample breaks is left out. Without a usable pg_dump the
  schema is inspected and re-rendered (tables, partitions, indexes, views; no defaults);
- rows: up to ``sample_rows`` a table, streamed with COPY; then ANALYZE. Costs are the planner's on
  the sample. What could not be copied is reported, never fatal.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pglast
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from schemawright.db import connect, scratch_database

RENDERED_KINDS = ("extension", "type", "function", "table", "partitions", "index", "view")
_TABLES_SQL = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
      AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1, 2"""


def server_dsn(conn: psycopg.Connection) -> str:
    """A DSN for ``conn``'s server and user (with the password it connected with, if any)."""
    password = conn.info.password
    return make_conninfo(conn.info.dsn, **({"password": password} if password else {}))


@contextlib.contextmanager
def scratch_copy(conn: psycopg.Connection, sample_rows: int, skipped: list[str]) -> Iterator[psycopg.Connection]:
    """An autocommit connection to a scratch database holding ``conn``'s schema and a sample of its
    rows; dropped afterwards. What could not be copied is added to ``skipped``."""
    source = server_dsn(conn)
    with scratch_database(source, prefix="sw_advise") as dsn:
        pg_dump = _pg_dump(conn.info.server_version)
        pre = _dump(pg_dump, source, "pre-data", skipped) if pg_dump else None
        with connect(dsn, autocommit=True) as loader:  # pg_dump's script empties search_path
            if pre is not None:
                _run_script(loader, pre, skipped)
            else:
                _render(conn, loader, skipped)
            for schema, table in conn.execute(_TABLES_SQL).fetchall():
                _copy_rows(conn, loader, schema, table, sample_rows, skipped)
            if pre is not None:
                _run_script(loader, _dump(pg_dump, source, "post-data", skipped) or "", skipped)
            loader.execute("ANALYZE")
        with connect(dsn, autocommit=True) as copy:
            yield copy


@functools.cache
def _pg_dump(server_version: int) -> Path | None:
    """The first pg_dump whose major version is at least the server's."""
    from schemawright.db.embedded import bin_dir

    found = [bin_dir() / "pg_dump", shutil.which("pg_dump"),
             *sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))]
    for path in filter(None, found):
        try:
            out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10,
                                 check=False).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        m = re.search(r"(\d+)\.", out)
        if m and int(m.group(1)) >= server_version // 10000:
            return Path(path)
    return None


def _dump(pg_dump: Path, dsn: str, section: str, skipped: list[str]) -> str | None:
    params = conninfo_to_dict(dsn)
    env = {**os.environ, **({"PGPASSWORD": str(params.pop("password"))} if params.get("password") else {})}
    proc = subprocess.run([str(pg_dump), "--schema-only", f"--section={section}", "--no-owner", "--no-privileges",
                           "--no-publications", "--no-subscriptions", "--no-tablespaces", "--no-comments",
                           "--dbname", make_conninfo(**params)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    if proc.returncode != 0:
        skipped.append(f"pg_dump --section={section} failed: {proc.stderr.strip()}")
        return None
    return "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("\\"))  # \restrict


def _run_script(conn: psycopg.Connection, script: str, skipped: list[str]) -> None:
    """Each statement on its own: one that fails (a foreign key the sample breaks) is skipped."""
    for statement in pglast.split(script, with_parser=False):
        text = " ".join(re.sub(r"^\s*--.*$", "", statement, flags=re.MULTILINE).split())
        try:
            with conn.transaction():
                conn.execute(sql.SQL(statement))  # pg_dump's output, from the user's own catalog
        except psycopg.Error as exc:
            skipped.append(f"{text[:100]}: {str(exc).strip().splitlines()[0]}")


def _render(src: psycopg.Connection, dst: psycopg.Connection, skipped: list[str]) -> None:
    """No usable pg_dump: the public schema inspected and re-rendered, without column defaults."""
    from schemawright.dialects import get_dialect
    from schemawright.inspect.postgres import inspect_schema

    model = inspect_schema(src)
    for table in model.tables:
        for column in table.columns:
            column.default = None  # nextval() of sequences the model does not carry
    for statement in get_dialect().create_statements(model):
        if statement.kind in RENDERED_KINDS:
            try:
                with dst.transaction():
                    dst.execute(sql.SQL(statement.sql))  # rendered from the catalog, quoted
            except psycopg.Error as exc:  # e.g. a domain type the model does not carry
                skipped.append(f"{statement.kind} {statement.name}: {str(exc).strip().splitlines()[0]}")


def _copy_rows(src: psycopg.Connection, dst: psycopg.Connection, schema: str, table: str, limit: int,
               skipped: list[str]) -> None:
    columns = [r[0] for r in src.execute(
        "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT "
        "a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum", [sql.Identifier(schema, table).as_string(src)])]
    if not columns:
        return
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    read = sql.SQL("COPY (SELECT {} FROM {} LIMIT {}) TO STDOUT (FORMAT binary)").format(
        names, sql.Identifier(schema, table), sql.Literal(limit))
    write = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(sql.Identifier(schema, table), names)
    try:
        with dst.transaction(), src.cursor().copy(read) as out, dst.cursor().copy(write) as into:
            for block in out:
                into.write(block)
    except psycopg.Error as exc:  # a table the copy lacks, or rows it rejects: its queries are costed empty
        skipped.append(f"rows of {schema}.{table}: {str(exc).strip().splitlines()[0]}")
