"""What seed and bench work on: a folder written by ``schemawright design``, or a task input."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from schemawright.errors import DatabaseError, SchemawrightError
from schemawright.model.names import quote_ident
from schemawright.model.schema import Schema
from schemawright.project.applier import apply_sql
from schemawright.project.layout import load_model, read_migrations
from schemawright.project.sources import design_task_input


@dataclass
class Source:
    schema: Schema
    folder: Path | None  # the project folder, when given one
    forward: list[str]  # DDL that creates the design: the V migrations, or the rendered statements

    @property
    def name(self) -> str:
        designed = self.schema.facts.project.name if self.schema.facts.project else None
        return str(designed or (self.folder.name if self.folder else "database"))


def load_source(path: str | Path) -> Source:
    """A design folder (models/physical/schema.json + migrations) or a task input (designed in memory)."""
    path = Path(path)
    if path.is_dir():
        forward, _ = read_migrations(path)
        return Source(load_model(path), path, [f.read_text(encoding="utf-8") for f in forward])
    if not path.exists():
        raise SchemawrightError(f"{path}: no such folder or task input")
    from schemawright.dialects import get_dialect

    _, schema = design_task_input(path)
    statements = get_dialect("postgresql").create_statements(schema)
    return Source(schema, None, ["\n\n".join(s.sql for s in statements)])


def qualified(schema: str, name: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def present_tables(conn: psycopg.Connection, schema: Schema) -> list[str]:
    names = [qualified(t.schema, t.name) for t in schema.tables]
    rows = conn.execute("SELECT n FROM unnest(%s::text[]) AS n WHERE to_regclass(n) IS NOT NULL", [names]).fetchall()
    return [r[0] for r in rows]


def ensure_schema(conn: psycopg.Connection, source: Source) -> bool:
    """Create the design's objects if none of its tables exist; True if it applied them."""
    present = present_tables(conn, source.schema)
    if len(present) == len(source.schema.tables):
        return False
    if present:
        raise DatabaseError(f"the database has only some of the design's tables ({len(present)} of "
                            f"{len(source.schema.tables)}): use an empty database or one made from this design")
    for text in source.forward:
        try:  # the one applier: CREATE INDEX CONCURRENTLY and the like run outside a transaction
            apply_sql(conn, text, "design")
        except DatabaseError as exc:
            raise DatabaseError(f"applying the design failed: {exc}") from exc
    return True


def row_counts(conn: psycopg.Connection, schema: Schema) -> dict[str, int]:
    out = {}
    for t in schema.tables:
        out[t.name] = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t.schema, t.name))
                                   ).fetchone()[0]
    return out
