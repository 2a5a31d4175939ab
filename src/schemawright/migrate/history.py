"""The history table (one row per migration that changed the database) and the advisory lock.

A row with ``success`` true is an applied migration. A row with ``success`` false is one that stopped
part-way: ``direction`` 'up' (applying) or 'down' (undoing), ``statements_done`` statements of the V
(resp. U) file committed, ``progress_checksum`` the checksum of those statements, ``error`` why it
stopped (NULL when the runner was killed). A migration rolled back entirely leaves no row.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from schemawright.project.layout import HISTORY_TABLE
from schemawright.project.errors import MigrationError
from schemawright.migrate.files import parse_version

DEFAULT_TABLE = HISTORY_TABLE

_COLUMNS = ("version", "description", "script", "checksum", "execution_ms", "success", "direction",
            "statements_done", "progress_checksum", "error")

_CREATE = """CREATE TABLE IF NOT EXISTS {table} (
    version text PRIMARY KEY,
    description text NOT NULL,
    script text NOT NULL,
    checksum text NOT NULL,
    applied_by text NOT NULL DEFAULT current_user,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    execution_ms integer NOT NULL,
    success boolean NOT NULL,
    direction text NOT NULL DEFAULT 'up' CHECK (direction IN ('up', 'down')),
    statements_done integer NOT NULL DEFAULT 0,
    progress_checksum text NOT NULL DEFAULT '',
    error text
)"""


@dataclass(frozen=True)
class HistoryRow:
    version: str
    description: str
    script: str
    checksum: str
    execution_ms: int
    success: bool
    direction: str = "up"
    statements_done: int = 0
    progress_checksum: str = ""
    error: str | None = None
    applied_by: str | None = None
    applied_at: datetime | None = None

    @property
    def key(self) -> tuple[int, ...]:
        return parse_version(self.version)

    def but(self, **changes) -> HistoryRow:
        return replace(self, **changes)


def progress_checksum(texts: list[str]) -> str:
    """Checksum of the statements committed so far (a resume needs them unchanged)."""
    return hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest()


class History:
    """The history table ``name`` or ``schema.name`` (default schema: the connection's current one)."""

    def __init__(self, conn: psycopg.Connection, table: str = DEFAULT_TABLE):
        self.conn = conn
        parts = table.split(".", 1) if "." in table else [None, table]
        if not all(parts[1:]) or parts[0] == "":
            raise MigrationError(f"{table!r} is not a table name (expected name or schema.name)")
        schema = parts[0] or conn.execute("SELECT current_schema()").fetchone()[0]
        if schema is None:
            raise MigrationError("no schema to hold the history table: the search_path names none that "
                                 "exists; pass --table schema.name")
        self.schema, self.name = schema, parts[1]
        self.ident = sql.Identifier(schema, parts[1])
        digest = hashlib.blake2b(f"schemawright.migrate:{schema}.{parts[1]}".encode(), digest_size=8).digest()
        self.lock_key = int.from_bytes(digest, "big", signed=True)
        self.initial_settings = conn.execute(
            "SELECT current_setting('role'), current_setting('search_path')").fetchone()

    def restore_session(self) -> None:
        """Give the session back the role and search_path it had when the runner connected: what one
        migration switched to (``SET ROLE``, ``SET search_path``) never carries over into the next one."""
        role, path = self.initial_settings
        self.conn.execute("SELECT set_config('role', %s, false), set_config('search_path', %s, false)", (role, path))

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.name}"

    def exists(self) -> bool:
        found = self.conn.execute("SELECT to_regclass(%s)", (self.ident.as_string(self.conn),)).fetchone()[0]
        return found is not None

    def create(self) -> None:
        self.conn.execute(sql.SQL(_CREATE).format(table=self.ident))

    def rows(self) -> dict[tuple[int, ...], HistoryRow]:
        if not self.exists():
            return {}
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(sql.SQL("SELECT * FROM {}").format(self.ident))
            rows = [HistoryRow(**{k: r[k] for k in (*_COLUMNS, "applied_by", "applied_at")}) for r in cur]
        return {row.key: row for row in rows}

    @contextlib.contextmanager
    def _as_runner(self) -> Iterator[None]:
        """Run the bookkeeping as the user who connected, whatever role a migration switched to (``SET ROLE
        <project>_owner``): ``SET LOCAL ROLE NONE`` in a transaction (a savepoint inside the migration's
        own), so the migration's role setting is back in force once the transaction ends."""
        with self.conn.transaction():
            self.conn.execute("SET LOCAL ROLE NONE")
            yield

    def save(self, row: HistoryRow) -> None:
        """Insert or replace ``row``; ``applied_by``/``applied_at`` default to the connecting user and now."""
        cols = [*_COLUMNS, "applied_by", "applied_at"]
        values = [getattr(row, c) for c in _COLUMNS]
        with self._as_runner():
            self._save(cols, values, row)

    def _save(self, cols: list[str], values: list, row: HistoryRow) -> None:
        self.conn.execute(sql.SQL(
            "INSERT INTO {t} ({cols}) VALUES ({vals}, COALESCE(%s, current_user), COALESCE(%s, clock_timestamp())) "
            "ON CONFLICT (version) DO UPDATE SET ({cols}) = ROW({excluded})").format(
            t=self.ident, cols=sql.SQL(", ").join(map(sql.Identifier, cols)),
            vals=sql.SQL(", ").join(sql.Placeholder() * len(_COLUMNS)),
            excluded=sql.SQL(", ").join(sql.Identifier("excluded", c) for c in cols)),
            [*values, row.applied_by, row.applied_at])

    def delete(self, version: str) -> None:
        with self._as_runner():
            self.conn.execute(sql.SQL("DELETE FROM {} WHERE version = %s").format(self.ident), (version,))

    # --- the lock: one runner per history table and database at a time ---------------------------

    def lock(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the session advisory lock, waiting up to ``timeout`` seconds; MigrationError naming the
        holder otherwise."""
        deadline, pause, told = time.monotonic() + timeout, 0.02, False
        while not self.conn.execute("SELECT pg_try_advisory_lock(%s)", (self.lock_key,)).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise MigrationError(f"another migration runner holds the lock on {self.display} "
                                     f"({self.holder()}); gave up after {timeout:g} s (--lock-timeout)")
            if on_wait and not told:
                on_wait(self.holder())
                told = True
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.5)

    def unlock(self) -> None:
        self.conn.execute("SELECT pg_advisory_unlock(%s)", (self.lock_key,))

    def holder(self) -> str:
        unsigned = self.lock_key & 0xFFFF_FFFF_FFFF_FFFF
        row = self.conn.execute(
            "SELECT a.pid, a.application_name, a.client_addr, a.backend_start, a.state FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND l.classid::bigint = %s AND l.objid::bigint = %s AND l.objsubid = 1",
            (unsigned >> 32, unsigned & 0xFFFF_FFFF)).fetchone()
        if row is None:
            return "holder unknown"
        pid, app, addr, since, state = row
        return (f"server pid {pid}, application {app or '-'!r}, client {addr or 'local socket'}, "
                f"connected since {since:%Y-%m-%d %H:%M:%S}, {state}")
