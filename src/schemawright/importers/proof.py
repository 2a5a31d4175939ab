"""The interpreter checked against PostgreSQL itself: the same script is loaded into a scratch database,
read back from the catalog, and the two models compared."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from schemawright.db import connect, resolve_dsn, scratch_database
from schemawright.importers.common import ImportResult
from schemawright.importers.script import is_data, split_script
from schemawright.importers.sources import normalize_catalog
from schemawright.model.compare import differences
from schemawright.model.schema import Schema
from schemawright.project.sources import inspect_database

# Statements that reach beyond one database (or would drop the scratch database's neighbours): never run.
_SERVER_WIDE = ("CREATE DATABASE", "DROP DATABASE", "ALTER DATABASE", "CREATE ROLE", "ALTER ROLE", "DROP ROLE",
                "CREATE USER", "ALTER USER", "DROP USER", "ALTER SYSTEM", "CREATE TABLESPACE", "DROP TABLESPACE")


@dataclass
class CatalogCheck:
    """What PostgreSQL made of a script compared with what the interpreter made of it."""

    catalog: Schema
    differences: list[str]
    load_errors: list[str] = field(default_factory=list)  # statements the server refused


def load_ddl(conn: psycopg.Connection, text: str) -> list[str]:
    """Run a script's schema statements one by one on an autocommit connection (rows are left out,
    server-wide statements never run); returns the ones the server refused."""
    statements, _ = split_script(text)
    errors = []
    for statement in statements:
        if is_data(statement) or statement.kind.startswith(_SERVER_WIDE):
            continue
        try:
            conn.execute(statement.text)
        except psycopg.Error as exc:
            errors.append(f"line {statement.line}: {str(exc).strip().splitlines()[0]}")
    return errors


def check_against_catalog(text: str, imported: ImportResult, dsn: str | None = None) -> CatalogCheck:
    """Load ``text`` into a scratch database on ``dsn``'s server and compare its catalog with ``imported``."""
    with scratch_database(resolve_dsn(dsn), prefix="sw_import") as scratch, \
            connect(scratch, autocommit=True) as conn:
        errors = load_ddl(conn, text)
        conn.execute("RESET ALL")  # the script's SET search_path would change how the catalog prints names
        catalog = inspect_database(conn)
        normalize_catalog(catalog)
    return CatalogCheck(catalog, differences(imported.schema, catalog), errors)
