"""Load a schema model from whatever the user points at.

``load_schema(source)`` accepts a task input (JSON/YAML, designed on the fly), a schema model JSON
(``models/physical/schema.json``), a folder written by ``schemawright design``, a SQL DDL file, a
migrations folder (``V<n>__*.sql`` applied in version order), or a PostgreSQL URL (read from the live
catalog, every user schema). SQL is applied to a scratch database on the ``dsn`` server (default: the
embedded one) and read back, so the model is exactly what PostgreSQL made of it.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import psycopg
from psycopg import sql

from schemawright.db import connect, resolve_dsn, scratch_database
from schemawright.db.embedded import extensions_in_sql
from schemawright.inspect import inspect_schema
from schemawright.inspect.postgres import object_owners
from schemawright.inspect.unmodelled import schema_comments, unmodelled_objects
from schemawright.model.schema import Schema
from schemawright.project.applier import SourceError, apply_sql, runs_outside_transaction
from schemawright.project.layout import MODEL_PATH, forward_files, read_dialect, read_model

__all__ = ["MODEL_FILE", "SourceError", "apply_sql", "count_rows", "design_task_input", "design_with_source_map", "inspect_database",
           "is_dsn", "load_schema", "migration_files", "runs_outside_transaction", "schema_of_sql"]

MODEL_FILE = Path(MODEL_PATH)
_DSN_RE = re.compile(r"^(postgres(ql)?://|(\w+=\S*\s*)+$)")

_SCHEMAS_SQL = """
SELECT n.nspname FROM pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                  AND d.objid = n.oid AND d.deptype = 'e')
ORDER BY n.nspname <> 'public', n.nspname"""


def is_dsn(source: str) -> bool:
    """A PostgreSQL URL or a ``key=value`` connection string (not a file name)."""
    return bool(_DSN_RE.match(source.strip())) and not Path(source).exists()


def load_schema(source: str, *, dsn: str | None = None) -> Schema:
    """The schema model of ``source`` (see the module doc for the kinds); ``dsn``: the server on which
    SQL sources are applied (default: the embedded PostgreSQL)."""
    if is_dsn(source):
        with connect(source) as conn:
            return _without_history(inspect_database(conn), conn)
    path = Path(source)
    if path.is_dir():
        target = read_dialect(path)["dialect"]
        if target != "postgresql":
            raise SourceError(f"{source} was designed for {target} (models/physical/dialect.json): this command "
                              "reads PostgreSQL designs; 'schemawright verify' proves this one on its database")
        return _load_folder(path, dsn)
    if not path.is_file():
        raise SourceError(f"{source}: no such file or folder (expected a task input, a schema.json, a .sql "
                          "file, a migrations folder, a folder written by 'schemawright design' or a PostgreSQL URL)")
    suffix = path.suffix.lower()
    if suffix == ".sql":
        return schema_of_sql([path], dsn)
    if suffix == ".json" and _is_model_json(path):
        return _read_model(path)
    if suffix in (".json", ".yaml", ".yml"):
        return design_task_input(path)[1]
    raise SourceError(f"{source}: unknown kind of file (expected .json, .yaml, .yml or .sql)")


_HISTORY_ONLY_OWNER_SQL = """
SELECT pg_get_userbyid(c.relowner) FROM pg_class c
WHERE c.relname = %s AND c.relkind = 'r'
  AND NOT EXISTS (SELECT 1 FROM pg_class o WHERE o.relowner = c.relowner AND o.oid <> c.oid
                  AND o.relkind IN ('r', 'p', 'v', 'm') AND NOT o.relispartition AND o.relnamespace = c.relnamespace)
  AND NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.proowner = c.relowner AND p.pronamespace = c.relnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                  AND d.objid = p.oid AND d.deptype = 'e'))
  AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typowner = c.relowner AND t.typtype = 'e'
                  AND t.typnamespace = c.relnamespace)"""
# the functions of an extension (pgcrypto's digest, hmac... installed into the schema by V001 as the
# migrating superuser) are not something the runner owns in the schema: the schema's owner query leaves
# them out too (inspect/postgres.py _OWNERS_SQL)


def _without_history(schema: Schema, conn: psycopg.Connection | None = None) -> Schema:
    """A live database's schema without the migration runner's history table: it is not part of the design,
    and a diff to a design would otherwise drop it (and with it the record of what was applied). Its owner
    (the user who ran the migrations) is no owner of the schema either, unless it owns something else."""
    from schemawright.project.layout import HISTORY_TABLE as DEFAULT_TABLE

    schema.tables = [t for t in schema.tables if t.name != DEFAULT_TABLE]
    schema.grants = [g for g in schema.grants if g.object_name != DEFAULT_TABLE]
    if conn is not None and schema.owner and ", " in schema.owner:
        only = {r[0] for r in conn.execute(_HISTORY_ONLY_OWNER_SQL, (DEFAULT_TABLE,)).fetchall()}
        schema.owner = ", ".join(o for o in schema.owner.split(", ") if o not in only) or None
    return schema


def _load_folder(path: Path, dsn: str | None) -> Schema:
    if (path / MODEL_FILE).is_file():
        return _read_model(path / MODEL_FILE)
    files = migration_files(path) or migration_files(path / "migrations")
    if files:
        return schema_of_sql(files, dsn)
    raise SourceError(f"{path}: neither a folder written by 'schemawright design' (no {MODEL_FILE}) nor a "
                      "migrations folder (no V<n>__<description>.sql files)")


def _is_model_json(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as fh:
            head = fh.read(200)
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read: {exc.strerror}") from exc
    return '"schemawright.schema"' in head


def design_task_input(path: str | Path):
    """Load and validate a task input and design its schema: ``(TaskInput, Schema)``, no files written."""
    spec, _, schema = design_with_source_map(path)
    return spec, schema


def design_with_source_map(path: str | Path):
    """``(TaskInput, SourceMap, Schema)``: the task input, where each of its entries is in the file (for
    located findings), and its designed schema."""
    from schemawright.design import design
    from schemawright.spec.load import load_task_input

    spec, smap = load_task_input(path)
    return spec, smap, design(spec, smap)


def _read_model(path: Path) -> Schema:
    try:
        return read_model(path)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise SourceError(f"{path}: not a readable schema model: {exc}") from exc


def migration_files(folder: Path) -> list[Path]:
    """The ``V<version>__<description>.sql`` files of a folder, in version order."""
    return forward_files(folder)


def schema_of_sql(files: list[Path], dsn: str | None = None) -> Schema:
    """Apply SQL files, in order, to a scratch database on ``dsn``'s server and read the result back."""
    needs: list[str] = []
    if dsn is None:  # the default server lacks pgcrypto: one from binaries that have what the files create
        for f in files:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                needs += extensions_in_sql(f.read_text(encoding="utf-8"))
    server = resolve_dsn(dsn, needs)
    with scratch_database(server, prefix="sw_source") as scratch, connect(scratch, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")  # a scratch database: no need to wait for the disk
        for f in files:
            try:
                text = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SourceError(f"{f}: cannot be read: {exc}") from exc
            apply_sql(conn, text, str(f))
        return inspect_database(conn)


def inspect_database(conn: psycopg.Connection) -> Schema:
    """Every user schema of the connected database as one model (``Schema.schemas`` lists them)."""
    names = [row[0] for row in conn.execute(_SCHEMAS_SQL).fetchall()]
    merged = Schema(schemas=names)
    owners: set[str] = set()
    for i, name in enumerate(names):
        part = inspect_schema(conn, name)
        if i == 0:
            merged.extensions = part.extensions
            merged.foreign_servers = part.foreign_servers  # database-wide
        for group in ("enums", "composite_types", "domains", "sequences", "tables", "views", "functions", "aggregates", "grants",
                      "policies"):
            getattr(merged, group).extend(getattr(part, group))
        merged.roles += [r for r in part.roles if r.name not in {m.name for m in merged.roles}]
        merged.default_privileges += [d for d in part.default_privileges if d not in merged.default_privileges]
        owners |= set(part.owner.split(", ")) if part.owner else set()
    merged.owner = ", ".join(sorted(owners)) or None
    merged.schema_comments = schema_comments(conn, names)
    merged.unmodelled = unmodelled_objects(conn, names)
    merged.object_owners = object_owners(conn, names)
    return merged


def count_rows(dsn: str, tables: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Exact row counts of ``tables`` (schema, name) that exist in the database at ``dsn``."""
    out: dict[tuple[str, str], int] = {}
    if not tables:
        return out
    with connect(dsn) as conn:
        for schema, table in sorted(tables):
            exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL",
                                  (sql.Identifier(schema, table).as_string(conn),)).fetchone()[0]
            if exists:
                query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
                out[(schema, table)] = conn.execute(query).fetchone()[0]
    return out
