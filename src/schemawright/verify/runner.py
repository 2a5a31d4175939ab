"""verify: prove a generated project on a real PostgreSQL, in a scratch database dropped afterwards.

1. apply the migrations forward, read the catalog back (A) and compare it with the canonical model;
2. apply every undo step and check that nothing of the design is left;
3. apply forward again, read the catalog (B) and require A == B;
4. probe every NOT NULL, CHECK, UNIQUE and FOREIGN KEY (verify/constraints.py);
5. prove partition pruning with EXPLAIN (verify/partitions.py);
6. security: the privilege matrix, row-level security isolation, audit rows, encryption, masking,
   erasure and hostile values, each attempted for real (verify/security.py).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import secrets
import time
from pathlib import Path

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from schemawright.db import connect, scratch_database
from schemawright.db.embedded import private_server
from schemawright.errors import VerifyError
from schemawright.inspect import inspect_schema
from schemawright.migrate.errors import MigrationError
from schemawright.migrate.statements import split_statements
from schemawright.model.compare import differences
from schemawright.model.schema import Schema
from schemawright.model.serialize import schema_from_json
from schemawright.render import confidence
from schemawright.render.model_json import MODEL_PATH
from schemawright.verify import security
from schemawright.verify.constraints import count_probes, run_probes
from schemawright.verify.partitions import run_partition_checks
from schemawright.verify.report import StepResult, VerifyReport

MIGRATION_RE = re.compile(r"^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.split(r"[._]", text))


def read_migrations(folder: Path) -> tuple[list[Path], list[Path]]:
    """Forward (V) files in version order and undo (U) files in reverse version order."""
    mdir = folder / "migrations"
    if not mdir.is_dir():
        raise VerifyError(f"{folder} has no migrations/ folder: is it a folder written by 'schemawright design'?")
    forward, undo = [], []
    for f in mdir.iterdir():
        m = MIGRATION_RE.match(f.name)
        if m:
            (forward if m.group(1) == "V" else undo).append((_version(m.group(2)), f))
    if not forward:
        raise VerifyError(f"{mdir} holds no V<n>__<description>.sql migration")
    versions = {v for v, _ in forward}
    orphans = [f.name for v, f in undo if v not in versions]
    if orphans:
        raise VerifyError(f"undo files without a forward migration: {', '.join(orphans)}")
    return [f for _, f in sorted(forward)], [f for _, f in sorted(undo, reverse=True)]


def load_model(folder: Path) -> Schema:
    path = folder / MODEL_PATH
    try:
        return schema_from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise VerifyError(f"{path} is missing: verify compares the database with the designed model") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise VerifyError(f"{path} is not a schemawright model: {exc}") from None


class _Run:
    def __init__(self, report: VerifyReport, progress: Progress | None, total: int):
        self.report, self.progress = report, progress
        self.task = progress.add_task("verifying", total=total) if progress else None

    def add(self, step: StepResult) -> StepResult:
        self.report.steps.append(step)
        if self.progress:
            total = max(self.progress.tasks[0].total or 0, len(self.report.steps))  # estimates may undercount
            self.progress.update(self.task, advance=1, total=total, description=step.name[:50])
        return step

    def timed(self, name: str, group: str, fn) -> StepResult:
        start = time.perf_counter()
        try:
            problems = fn()
        except psycopg.Error as exc:
            problems = [f"{type(exc).__name__}: {exc}".strip()]
        ok = not problems
        return self.add(StepResult(name=name, ok=ok, group=group, seconds=time.perf_counter() - start,
                                   detail="ok" if ok else f"{len(problems)} problem(s): {problems[0]}",
                                   problems=problems))


def apply_files(conn: psycopg.Connection, files: list[Path]) -> list[str]:
    """Apply each file: runs of ordinary statements in one transaction each, statements that cannot run
    in a transaction (CREATE INDEX CONCURRENTLY...) alone, as the migration runner does; stop at the
    first failure."""
    for f in files:
        try:
            statements = split_statements(f.read_text(encoding="utf-8"), f.name)
        except MigrationError as exc:
            return [str(exc)]
        for alone, group in itertools.groupby(statements, key=lambda st: bool(st.non_transactional)):
            group = list(group)
            try:
                if alone:
                    for st in group:
                        conn.execute(st.text)
                else:
                    with conn.transaction():
                        for st in group:
                            conn.execute(st.text)
            except psycopg.Error as exc:
                return [f"{f.name}: {exc.diag.sqlstate} {exc.diag.message_primary}"]
    return []


def _leftovers(conn: psycopg.Connection, model: Schema) -> list[str]:
    after = inspect_schema(conn)
    left = [f"table {t.name}" for t in after.tables] + [f"view {v.name}" for v in after.views]
    left += [f"function {f.name}" for f in after.functions] + [f"type {e.name}" for e in after.enums]
    return [f"still present after undo: {x}" for x in left]


def verify_project(folder: str | Path, *, dsn: str | None = None, progress: Console | None = None) -> VerifyReport:
    """Verify the project in ``folder`` on ``dsn`` (default: a private cluster made for this run, see
    ``db.embedded.private_server``); write verification.json."""
    folder = Path(folder)
    if not folder.is_dir():
        raise VerifyError(f"{folder} is not a folder")
    model = load_model(folder)
    forward, undo = read_migrations(folder)
    with contextlib.ExitStack() as stack:
        # No --dsn: a private cluster of its own, so the design's roles (cluster-wide) never meet
        # another database's, another verification's, or a deployment's; from binaries with the
        # extensions the design needs (pgcrypto).
        server = dsn if dsn is not None else stack.enter_context(private_server(model.extensions))
        report = _verify_on(folder, model, forward, undo, server, progress)
        if dsn is None:
            report.server = "private PostgreSQL cluster (deleted after the run)"
    report.write(folder)
    data = report.to_dict()["summary"]
    try:
        confidence.record(folder / "agent_output.json", "verification", {
            "checks": data["checks"], "passed": data["passed"], "failed": data["failed"],
            "report": "verification.json", "failed_checks": [s.name for s in report.steps if not s.ok][:50]})
    except OSError as exc:
        raise VerifyError(f"cannot update {folder / 'agent_output.json'}: {exc.strerror or exc}") from None
    return report


def _verify_on(folder: Path, model: Schema, forward: list[Path], undo: list[Path], server: str,
               progress: Console | None) -> VerifyReport:
    report = VerifyReport(folder=str(folder), server=_redact(server))
    bar = Progress(TextColumn("{task.description:<50}"), BarColumn(), MofNCompleteColumn(), console=progress,
                   transient=True) if progress else None
    partitioned = sum(1 for t in model.tables if t.partitioning)
    run = _Run(report, bar, total=6 + count_probes(model) + security.count_steps(model) + 2 * partitioned)
    with security.scratch_roles(server, model), scratch_database(server, prefix="sw_verify") as scratch, \
            connect(scratch, autocommit=True) as conn:
        if bar:
            bar.start()
        try:
            _verify(conn, model, forward, undo, run)
        finally:
            if bar:
                bar.stop()
    return report


def _with_scratch_key(conn, files: list[Path]) -> list[str]:
    """``apply_files`` with a throwaway encryption key in the session: a migration that encrypts or decrypts
    columns (diff) refuses to run without one, and the scratch database holds no data it could garble."""
    conn.execute("SELECT set_config('app.encryption_key', %s, false)", (secrets.token_hex(16),))
    try:
        return apply_files(conn, files)
    finally:
        conn.execute("RESET app.encryption_key")


def _verify(conn, model: Schema, forward: list[Path], undo: list[Path], run: _Run) -> None:
    apply_files = _with_scratch_key  # noqa: N806 (the same call, with the key)
    if run.timed("migrations: forward", "migrations", lambda: apply_files(conn, forward)).ok is False:
        return
    first: list[Schema] = []
    run.timed("catalog: read back", "schema", lambda: first.append(inspect_schema(conn)) or [])
    run.timed("catalog matches the design", "schema", lambda: differences(model, first[0]))
    if run.timed("migrations: undo", "migrations", lambda: apply_files(conn, undo)).ok:
        run.timed("undo leaves nothing behind", "migrations", lambda: _leftovers(conn, model))
    if run.timed("migrations: forward again", "migrations", lambda: apply_files(conn, forward)).ok is False:
        return
    run.timed("catalog after redo equals the first", "migrations",
              lambda: differences(first[0], inspect_schema(conn)))
    run_probes(conn, model, run.add)
    run_partition_checks(conn, model, run.timed)
    security.run_checks(conn, model, undo, run)


def _redact(dsn: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", dsn)
