"""Apply and undo migrations on a live database, one runner at a time.

Each migration runs in its own transaction, together with the history row that records it. The history
is written as the user who connected, whatever role the migration switched to (``SET ROLE``), and each
migration starts with the role and search_path the session had when the runner connected. A
statement that cannot run in a transaction (see ``statements.non_transactional``) runs alone between
the transactions around it; the history row then tracks how many statements are committed, so a
failure or a killed runner leaves a row saying exactly how far the migration got, and the next run
resumes there (``recovery.still_to_run`` decides about the statement that was interrupted).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pglast
import pglast.parser
import psycopg

from schemawright.db import connect, resolve_dsn
from schemawright.migrate import recovery
from schemawright.migrate.files import Migration, checksum, load_migrations, parse_version, version_text
from schemawright.migrate.history import DEFAULT_TABLE, History, HistoryRow, progress_checksum
from schemawright.project.applier import segments
from schemawright.project.errors import MigrationError
from schemawright.project.statements import Statement, split_statements

APPLICATION_NAME = "schemawright migrate"
CONNECTION_CHECK = "1s"  # how soon the server abandons the work of a runner that died (PostgreSQL 14+)


@dataclass(frozen=True)
class MigrationResult:
    version: str
    description: str
    direction: str  # "up" or "down"
    statements: int
    resumed_at: int  # 1-based statement it resumed at; 1 for a fresh run
    milliseconds: int


class Reporter:
    """What a runner tells while it works; the default says nothing (the CLI draws a progress bar)."""

    def waiting_for_lock(self, holder: str) -> None: ...

    def started(self, label: str, statements: int) -> None: ...

    def advanced(self) -> None: ...

    def finished(self, result: MigrationResult) -> None: ...


class _StatementFailed(Exception):
    def __init__(self, script: Path, stmt: Statement, exc: psycopg.Error, connection_lost: bool):
        diag = exc.diag
        where = f"{script.name}: statement {stmt.number} (line {stmt.line_at(_int(diag.statement_position))})"
        if diag.sqlstate:
            text = f"{where} failed: {diag.sqlstate} {diag.message_primary}"
            text += "".join(f"\n  {k}: {v}" for k, v in (("DETAIL", diag.message_detail), ("HINT", diag.message_hint),
                                                          ("CONTEXT", diag.context)) if v)
        else:
            text = f"{where} failed: {str(exc).strip() or type(exc).__name__}"
        first = stmt.text.splitlines()[0] if stmt.text else ""
        more = " ..." if len(first) > 120 or "\n" in stmt.text else ""
        text += f"\n  statement: {first[:120]}{more}"
        super().__init__(text)
        self.connection_lost = connection_lost


def _node(stmt: Statement):
    """The statement's pglast node (parsed here when the splitter did not keep it); None if it does not parse."""
    if stmt.node is not None:
        return stmt.node
    try:
        return pglast.parse_sql(stmt.text)[0].stmt
    except pglast.parser.ParseError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@contextlib.contextmanager
def open_session(dsn: str | None, table: str = DEFAULT_TABLE, lock_timeout: float = 60.0,
                 reporter: Reporter | None = None) -> Iterator[History]:
    """A connection holding the migration lock, with the history table created; released on exit."""
    conn = connect(resolve_dsn(dsn, database=True), autocommit=True, application_name=APPLICATION_NAME)
    try:
        if conn.info.server_version >= 140000:
            with contextlib.suppress(psycopg.Error):  # refused on platforms without the kernel support
                conn.execute("SELECT set_config('client_connection_check_interval', %s, false)", (CONNECTION_CHECK,))
        history = History(conn, table)
        history.lock(lock_timeout, (reporter or Reporter()).waiting_for_lock)
        history.create()
        yield history
        with contextlib.suppress(psycopg.Error):
            history.unlock()
    except psycopg.Error as exc:  # the connection broke, or the history table is not ours
        raise MigrationError(f"database error: {str(exc).strip() or type(exc).__name__}; the history table "
                             "says what was applied: run 'migrate status'") from exc
    finally:
        conn.close()


def apply_migrations(directory: str | Path, dsn: str | None = None, *, to: str | None = None,
                     table: str = DEFAULT_TABLE, lock_timeout: float = 60.0,
                     reporter: Reporter | None = None) -> list[MigrationResult]:
    """Apply the pending migrations of ``directory`` (up to version ``to``) in order; resume one that
    stopped part-way. Refuses edited, missing or out-of-order migrations before applying anything."""
    reporter = reporter or Reporter()
    migrations = load_migrations(directory)
    target = parse_version(to) if to is not None else None
    with open_session(dsn, table, lock_timeout, reporter) as history:
        rows = history.rows()
        _check_up(migrations, rows, history)
        current = max((v for v, r in rows.items() if r.success), default=None)
        results = []
        for m in migrations:
            row = rows.get(m.version)
            if (row and row.success) or (target is not None and m.version > target):
                continue
            results.append(_Execution(history, m, "up", row, reporter, current).run())
            current = m.version
        return results


def undo_migrations(directory: str | Path, dsn: str | None = None, *, to: str | None = None,
                    table: str = DEFAULT_TABLE, lock_timeout: float = 60.0,
                    reporter: Reporter | None = None) -> list[MigrationResult]:
    """Undo applied migrations newest first with their U files, removing their history rows: down to
    version ``to`` (``"0"``: all), or only the newest one when ``to`` is None."""
    reporter = reporter or Reporter()
    migrations = {m.version: m for m in load_migrations(directory)}
    with open_session(dsn, table, lock_timeout, reporter) as history:
        rows = history.rows()
        applied = sorted(rows, reverse=True)
        if to is None:
            chosen = applied[:1]
        else:
            target = parse_version(to)
            chosen = [v for v in applied if v > target]
        _check_down(chosen, migrations, rows, history)
        results = []
        for version in chosen:
            results.append(_Execution(history, migrations[version], "down", rows[version], reporter).run())
        return results


def _check_up(migrations: list[Migration], rows: dict, history: History) -> None:
    by_version = {m.version: m for m in migrations}
    problems = []
    for version, row in sorted(rows.items()):
        m = by_version.get(version)
        if m is None:
            problems.append(f"V{row.version} ({row.script}) is in {history.display} but not in the folder")
        elif row.direction == "down":
            problems.append(f"the undo of V{row.version} stopped after statement {row.statements_done} of "
                            f"{m.undo_path.name if m.undo_path else 'its U file'}: run 'migrate down' to finish it")
        elif row.success and row.checksum != checksum(m.sql()):
            problems.append(_edited(m, row))
    applied = [v for v, r in rows.items() if r.success]
    if applied:
        top = max(applied)
        problems += [f"{m.path.name} is pending but V{version_text(top)} is already applied: out-of-order "
                     f"migrations are refused; renumber it above {version_text(top)}"
                     for m in migrations if m.version < top and m.version not in rows]
    if problems:
        raise MigrationError("nothing was applied:\n  " + "\n  ".join(problems))


def _check_down(chosen: list, migrations: dict, rows: dict, history: History) -> None:
    problems = []
    for version in chosen:
        row, m = rows[version], migrations.get(version)
        if m is None:
            problems.append(f"V{row.version} ({row.script}) is in {history.display} but not in the folder")
        elif row.direction == "up" and not row.success:
            problems.append(f"{m.path.name} is only partly applied ({row.statements_done} statements): finish it "
                            "with 'migrate up' before undoing it")
        elif m.undo_path is None:
            problems.append(f"{m.path.name} has no undo file (expected U{m.path.name[1:]})")
        elif row.checksum != checksum(m.sql()):
            problems.append(_edited(m, row))
    if problems:
        raise MigrationError("nothing was undone:\n  " + "\n  ".join(problems))


def _edited(m: Migration, row: HistoryRow) -> str:
    return (f"{m.path.name} was edited after it was applied (checksum mismatch: recorded {row.checksum[:12]}, "
            f"file {checksum(m.sql())[:12]}); restore it and put the change in a new migration")


class _Execution:
    """One migration applied (``up``) or undone (``down``), segment by segment."""

    def __init__(self, history: History, m: Migration, direction: str, row: HistoryRow | None,
                 reporter: Reporter, fallback: tuple[int, ...] | None = None):
        self.history, self.conn, self.m, self.direction = history, history.conn, m, direction
        self.reporter, self.fallback = reporter, fallback  # up: the version the database stays at on failure
        self.script = m.path if direction == "up" else m.undo_path
        forward = m.sql()
        text = forward if direction == "up" else m.undo_sql()
        self.statements = split_statements(text, self.script.name)
        self.original = row
        self.resuming = row is not None and not row.success
        self.resume_at = row.statements_done if self.resuming else 0
        self.prior_ms = row.execution_ms if self.resuming else 0
        self.base = HistoryRow(version=version_text(m.version), description=m.description, script=m.path.name,
                               checksum=checksum(forward), execution_ms=0, success=False, direction=direction)
        if self.resuming:
            self._check_resumable(row)

    def _check_resumable(self, row: HistoryRow) -> None:
        done = row.statements_done
        if progress_checksum([s.text for s in self.statements[:done]]) != row.progress_checksum:
            raise MigrationError(
                f"{self.script.name} stopped after statement {done} in an earlier run and its first {done} "
                f"statements changed since: restore them (only later statements may change), or undo those "
                f"statements by hand and delete the row of version {row.version} from {self.history.display}")

    def run(self) -> MigrationResult:
        start = time.perf_counter()
        self.reporter.started(f"{self.script.name}", len(self.statements))
        for _ in range(self.resume_at):
            self.reporter.advanced()
        self.done = self.resume_at
        try:
            self._replay_session_settings()
            self._segments(start)
        except _StatementFailed as exc:
            raise MigrationError(self._failure(exc, start)) from None
        finally:
            if not self.conn.closed and not self.conn.broken:
                with contextlib.suppress(psycopg.Error):
                    self.history.restore_session()
        result = MigrationResult(self.base.version, self.m.description, self.direction, len(self.statements),
                                 self.resume_at + 1, self._ms(start))
        self.reporter.finished(result)
        return result

    def _replay_session_settings(self) -> None:
        """On a resume, run again the session settings (``SET ROLE``, ``SET search_path``, ``SET lock_timeout``,
        ``RESET ...``) among the statements already committed: the statements still to run expect them."""
        for stmt in self.statements[:self.resume_at]:
            if stmt.kind == "VariableSetStmt" and not getattr(_node(stmt), "is_local", True):
                self._execute(stmt, advance=False)

    def _segments(self, start: float) -> None:
        """The statements in the shared applier's groups (project.applier.segments): each run of ordinary
        statements in one transaction with its progress row, each statement that must run alone on its own."""
        stmts, i = self.statements, self.done
        if i >= len(stmts):
            with self.conn.transaction():
                self._finish(start)
        for alone, group in segments(stmts[i:], lambda st: st.non_transactional):
            if alone:
                for stmt in group:
                    self._alone(stmt, resumed=self.resuming and i == self.resume_at, start=start)
                    i += 1
                    self.done = i
            else:
                j = i + len(group)
                with self.conn.transaction():
                    for stmt in group:
                        self._execute(stmt)
                    self._progress(j, start)
                i = j
                self.done = i

    def _alone(self, stmt: Statement, resumed: bool, start: float) -> None:
        self._progress(stmt.number - 1, start)
        if resumed and not recovery.still_to_run(self.conn, stmt):
            self.reporter.advanced()
        else:
            existed = recovery.index_validity(self.conn, stmt) is not None
            try:
                self._execute(stmt)
            except _StatementFailed:
                if not existed and recovery.index_validity(self.conn, stmt) is False:
                    with contextlib.suppress(psycopg.Error):
                        recovery.drop_invalid_index(self.conn, stmt)
                raise
        self._progress(stmt.number, start)

    def _execute(self, stmt: Statement, advance: bool = True) -> None:
        try:
            self.conn.execute(stmt.text, prepare=False)
        except psycopg.Error as exc:
            raise _StatementFailed(self.script, stmt, exc, self.conn.broken) from exc
        if advance:
            self.reporter.advanced()

    def _progress(self, done: int, start: float) -> None:
        """Record ``done`` statements committed (all of them: the migration is complete)."""
        if done == len(self.statements):
            self._finish(start)
            return
        texts = [s.text for s in self.statements[:done]]
        self.history.save(self.base.but(execution_ms=self._ms(start), statements_done=done,
                                        progress_checksum=progress_checksum(texts)))

    def _finish(self, start: float) -> None:
        if self.direction == "down":
            self.history.delete(self.base.version)
        else:
            self.history.save(self.base.but(success=True, execution_ms=self._ms(start),
                                             statements_done=len(self.statements),
                                             progress_checksum=progress_checksum([s.text for s in self.statements])))

    def _ms(self, start: float) -> int:
        return self.prior_ms + round((time.perf_counter() - start) * 1000)

    def _failure(self, exc: _StatementFailed, start: float) -> str:
        """Record how far the migration got (nothing if it left no trace) and explain it."""
        done, name, label = self.done, self.script.name, "V" + self.base.version
        if exc.connection_lost:
            return f"{exc}\nThe connection failed: 'migrate status' shows how far {name} got."
        try:
            if done == 0 and self.direction == "up":
                self.history.delete(self.base.version)
            elif done == 0:
                self.history.save(self.original)
            else:
                texts = [s.text for s in self.statements[:done]]
                self.history.save(self.base.but(execution_ms=self._ms(start), statements_done=done,
                                                progress_checksum=progress_checksum(texts), error=str(exc)))
        except psycopg.Error as record_exc:
            return f"{exc}\nAlso, the history could not be updated: {str(record_exc).strip()}"
        if done == 0 and self.direction == "up":
            at = f"at version {version_text(self.fallback)}" if self.fallback else "without any migration applied"
            return f"{exc}\n{name} was rolled back: the database stays {at}."
        if done == 0:
            return f"{exc}\n{name} was rolled back: {label} stays applied."
        return (f"{exc}\nStatements 1-{done} of {name} stay committed (a statement that cannot run in a "
                f"transaction kept them apart from the rest); {self.history.display} records {label} as "
                f"stopped after statement {done}. Fix the failing statement and run 'migrate {self.direction}' "
                f"again: it resumes at statement {done + 1}.")
