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
import secrets
import tempfile
import time
from pathlib import Path

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from schemawright.db import connect, scratch_database
from schemawright.db.embedded import private_server
from schemawright.errors import VerifyError
from schemawright.inspect import inspect_schema
from schemawright.model.compare import differences
from schemawright.model.schema import Schema
from schemawright.analysis import confidence
from schemawright.project.applier import apply_files
from schemawright.project.layout import load_model, read_dialect, read_migrations
from schemawright.verify import security
from schemawright.verify.isolation import RoleMap
from schemawright.verify.constraints import count_probes, run_probes
from schemawright.verify.partitions import run_partition_checks
from schemawright.verify.report import StepResult, VerifyReport


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
    target = read_dialect(folder)["dialect"]
    if target != "postgresql":  # MySQL/MariaDB or SQLite: verify/foreign.py
        from schemawright.verify.foreign import verify_foreign

        forward, undo = read_migrations(folder)
        return _record(folder, verify_foreign(folder, load_model(folder), forward, undo, target, dsn))
    if dsn is not None:
        from schemawright.db.dsn import announce, check_dsn

        check_dsn(dsn, "--dsn")
        announce(dsn, "--dsn", scratch=True)
    model = load_model(folder)
    forward, undo = read_migrations(folder)
    with contextlib.ExitStack() as stack:
        # No --dsn: a private cluster of its own, so the design's roles (cluster-wide) never meet
        # another database's, another verification's, or a deployment's; from binaries with the
        # extensions the design needs (pgcrypto).
        roles = None
        if dsn is None:
            server = stack.enter_context(private_server(model.extensions))
        else:
            # --dsn: a shared server, where the design's role names may be a deployment's or another
            # verification's: every role gets a name of its own for this run (verify/isolation.py).
            server = dsn
            roles = RoleMap([r.name for r in model.roles])
            if roles:
                model = roles.model(model)
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sw-verify-")))
                forward = roles.files(forward, tmp / "migrations")
                undo = roles.files(undo, tmp / "migrations")
        report = _verify_on(folder, model, forward, undo, server, progress)
        if dsn is None:
            report.server = "private PostgreSQL cluster (deleted after the run)"
        elif roles:
            for step in report.steps:
                step.name, step.detail = roles.undo_text(step.name), roles.undo_text(step.detail)
                step.problems = [roles.undo_text(p) for p in step.problems]
            report.roles = {"mapped for this run": dict(roles.forward)}
    return _record(folder, report)


def _record(folder: Path, report: VerifyReport) -> VerifyReport:
    """Write verification.json and record the result in agent_output.json."""
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
            _verify(conn, model, forward, undo, run, folder)
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


def _verify(conn, model: Schema, forward: list[Path], undo: list[Path], run: _Run, folder: Path) -> None:
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
    security.run_checks(conn, model, undo, run, folder)


def _redact(dsn: str) -> str:
    from schemawright.db.dsn import redact

    return redact(dsn)
