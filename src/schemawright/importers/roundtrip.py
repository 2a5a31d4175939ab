"""Import, write the task input, design it back, compare: the proof that an import is complete."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from schemawright.db import connect, resolve_dsn, scratch_database
from schemawright.dialects import get_dialect
from schemawright.importers.common import ImportResult
from schemawright.importers.sources import normalize_catalog
from schemawright.importers.to_spec import to_yaml
from schemawright.model.compare import differences
from schemawright.model.schema import Schema
from schemawright.project.sources import design_task_input, inspect_database


def design_back(result: ImportResult, source: str = "<import>") -> Schema:
    """Design the task input written for ``result`` (through its YAML text, as a user would)."""
    with tempfile.TemporaryDirectory(prefix="sw-import-") as folder:
        path = Path(folder) / "spec.yaml"
        path.write_text(to_yaml(result, source), encoding="utf-8")
        return design_task_input(path)[1]


def round_trip_differences(result: ImportResult, source: str = "<import>") -> list[str]:
    """``differences(imported, design(task input of imported))``: empty when the task input is complete."""
    return differences(result.schema, design_back(result, source))


@dataclass
class AppliedDesign:
    """The designed schema built on PostgreSQL and read back."""

    catalog: Schema
    differences: list[str]  # imported model vs the catalog of the built design
    errors: list[str] = field(default_factory=list)  # statements of the design the server refused


def build_design(result: ImportResult, dsn: str | None = None, source: str = "<import>") -> AppliedDesign:
    """Design the import's task input, run its DDL in a scratch database on ``dsn``'s server, read the
    catalog back and compare it with the imported model: the whole loop, source to database."""
    designed = design_back(result, source)
    statements = get_dialect().create_statements(designed)
    schemas = sorted({t.schema for t in designed.tables} | {v.schema for v in designed.views} - {"public"})
    errors: list[str] = []
    with scratch_database(resolve_dsn(dsn), prefix="sw_import") as scratch, \
            connect(scratch, autocommit=True) as conn:
        conn.execute("SET check_function_bodies = off")  # SQL functions may read tables created after them
        for name in schemas:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(name)))
        for statement in statements:
            try:
                conn.execute(statement.sql)
            except psycopg.Error as exc:
                errors.append(f"{statement.kind} {statement.name}: {str(exc).strip().splitlines()[0]}")
        conn.execute("RESET ALL")
        catalog = inspect_database(conn)
        normalize_catalog(catalog)
    return AppliedDesign(catalog, differences(result.schema, catalog), errors)
