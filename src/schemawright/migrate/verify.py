"""``migrate verify``: up, down to zero, up again in a scratch database, comparing the catalogs.

The user's database is never touched: everything happens in a scratch database on the same server,
dropped afterwards. Checks that undoing everything restores the starting catalog and that applying
again rebuilds exactly what the first run built (every schema, as ``inspect_schema`` reads it; the
history table is left out).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from schemawright.db import connect, resolve_dsn, scratch_database
from schemawright.inspect import inspect_schema
from schemawright.migrate.files import load_migrations
from schemawright.migrate.history import DEFAULT_TABLE, History
from schemawright.migrate.runner import Reporter, apply_migrations, undo_migrations
from schemawright.model.compare import differences
from schemawright.model.schema import Schema
from schemawright.project.errors import MigrationError

_SCHEMAS_SQL = r"""SELECT nspname FROM pg_namespace
WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY nspname"""


@dataclass
class VerifyResult:
    migrations: int
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def catalog(conn: psycopg.Connection, table: str = DEFAULT_TABLE) -> dict[str, Schema]:
    """Every user schema of the database, the history table left out."""
    history = History(conn, table)
    out = {}
    for (name,) in conn.execute(_SCHEMAS_SQL).fetchall():
        schema = inspect_schema(conn, name)
        if name == history.schema:
            schema.tables = [t for t in schema.tables if t.name != history.name]
        out[name] = schema
    return out


def compare_catalogs(before: dict[str, Schema], after: dict[str, Schema], when: str) -> list[str]:
    problems = [f"{when}: schema {name} {'is missing' if name in before else 'was not there before'}"
                for name in sorted(set(before) ^ set(after))]
    for name in sorted(set(before) & set(after)):
        problems += [f"{when}: {name}: {d}" for d in differences(before[name], after[name])]
    return problems


def verify_migrations(directory: str | Path, dsn: str | None = None, *, table: str = DEFAULT_TABLE,
                      reporter: Reporter | None = None) -> VerifyResult:
    """Prove that the migrations of ``directory`` go up, down to zero and up again to the same catalog."""
    migrations = load_migrations(directory)
    no_undo = [m.path.name for m in migrations if m.undo_path is None]
    if no_undo:
        raise MigrationError("verify needs an undo file for every migration; missing for: " + ", ".join(no_undo))
    start = time.perf_counter()
    result = VerifyResult(migrations=len(migrations))
    with scratch_database(resolve_dsn(dsn), prefix="sw_migrate_verify") as scratch:
        # a migration that encrypts or decrypts columns (diff) needs a key in the session; a throwaway one
        # is enough here, where no data exists
        scratch = make_conninfo(scratch, options=f"-c app.encryption_key={secrets.token_hex(16)}")
        def snapshot() -> dict[str, Schema]:
            with connect(scratch, autocommit=True) as conn:
                return catalog(conn, table)

        def step(name: str, fn) -> bool:
            try:
                fn(directory, scratch, table=table, reporter=reporter)
            except MigrationError as exc:
                result.problems.append(f"{name} failed: {exc}")
                return False
            return True

        empty = snapshot()
        if step("up", apply_migrations):
            first = snapshot()
            if step("down to zero", lambda *a, **k: undo_migrations(*a, to="0", **k)):
                result.problems += compare_catalogs(empty, snapshot(), "after down to zero")
                if step("up again", apply_migrations):
                    result.problems += compare_catalogs(first, snapshot(), "after up again")
    result.seconds = time.perf_counter() - start
    return result
