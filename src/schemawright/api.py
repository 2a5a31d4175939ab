"""The Python API: every capability as one function with a typed result, for the CLI and any other front
end. No printing here. Features are imported when their function is called, so importing this module
stays cheap.

    design_schema / design_project   task input -> Schema (+ the project folder)
    load_schema                      any source -> Schema (the one loader, project/sources.py)
    write_docs                       any source -> docs/ (dictionary, ERD images, PRD, HTML report)
    verify_project                   prove a project folder on PostgreSQL          -> VerifyReport
    diff                             two sources -> a migration (forward + undo)  -> diff.migration.Migration
    apply_migrations / undo_migrations / migration_status / verify_migrations / new_migration
    lint_schema / lint_migrations                                                 -> LintResult
    import_source                    SQL/DBML file or DSN -> canonical model      -> ImportResult
    seed                             synthetic rows loaded with COPY              -> SeedResult
    bench                            the workload benchmark                       -> dict (the bench report)
    advise                           indexes for a workload                       -> Advice
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from schemawright.design import design
from schemawright.project import preflight
from schemawright.spec.load import load_task_input
from schemawright.model.schema import Schema
from schemawright.project.sources import design_task_input
from schemawright.render import Artifact, render_all
from schemawright.render.docs import schema_counts
from schemawright.render.writer import write_folder
from schemawright.spec.models import TaskInput

if TYPE_CHECKING:
    from schemawright.advise.advisor import Advice
    from schemawright.diff.migration import Migration
    from schemawright.importers.common import ImportResult
    from schemawright.lint.migration import LintResult as MigrationLintResult
    from schemawright.lint.schema import LintResult
    from schemawright.migrate import MigrationResult, StatusReport, VerifyResult
    from schemawright.seed.run import SeedResult
    from schemawright.render.writer import DocsResult
    from schemawright.verify.report import VerifyReport


@dataclass
class DesignResult:
    spec: TaskInput
    schema: Schema
    artifacts: list[Artifact]
    counts: dict[str, int]
    out_dir: Path | None = None


def design_schema(spec_path: str | Path) -> tuple[TaskInput, Schema]:
    """Load and validate a task input and design its schema (no files written)."""
    return design_task_input(spec_path)


def design_project(spec_path: str | Path, out_dir: str | Path | None = None, *, force: bool = False) -> DesignResult:
    """Design from a task input and, with ``out_dir``, write the project folder atomically."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    spec, smap = load_task_input(spec_path)
    schema = design(spec, smap)
    timings["design"] = time.perf_counter() - start
    start = time.perf_counter()
    artifacts = render_all(schema, timings=timings)
    timings["render"] = time.perf_counter() - start
    start = time.perf_counter()
    preflight.check(schema, artifacts, smap)  # nothing the server rejects is written
    timings["preflight"] = time.perf_counter() - start
    result = DesignResult(spec=spec, schema=schema, artifacts=artifacts, counts=schema_counts(schema))
    if out_dir is not None:
        result.out_dir = write_folder(artifacts, out_dir, force=force)
    return result


def load_schema(source: str, *, dsn: str | None = None) -> Schema:
    """The canonical model of any source: a task input, a model JSON, a design folder, a SQL file, a
    migrations folder or a PostgreSQL URL (SQL is applied to a scratch database on ``dsn``'s server)."""
    from schemawright.project.sources import load_schema as load

    return load(source, dsn=dsn)


def write_docs(source: str, out_dir: str | Path, *, dsn: str | None = None) -> DocsResult:
    """Document any source (``load_schema``'s kinds) into ``out_dir``: data dictionary, ER diagrams (Mermaid,
    SVG, PNG), PRD, schema overview, domain model, index strategy, capacity planning and the HTML report.
    A design folder's verification.json and bench.json, when present, go into the report."""
    from schemawright.render.writer import write_docs as write

    return write(source, out_dir, dsn=dsn)


def verify_project(folder: str | Path, *, dsn: str | None = None, progress=None) -> VerifyReport:
    """Prove the project folder on ``dsn`` (default: the embedded PostgreSQL); writes verification.json.
    ``progress``: a rich Console to show a progress bar on (the front end's choice)."""
    from schemawright.verify import verify_project as verify

    return verify(folder, dsn=dsn, progress=progress)


def diff(source_from: str, source_to: str, *, dsn: str | None = None, allow_destructive: bool = False,
         **options) -> Migration:
    """The migration (forward and undo SQL) from one source to another; ``options``: see
    ``diff.migration.make_migration`` (online, lock and statement timeouts)."""
    from schemawright.diff.migration import make_migration

    return make_migration(source_from, source_to, dsn=dsn, allow_destructive=allow_destructive, **options)


def apply_migrations(directory: str | Path, dsn: str | None = None, *, to: str | None = None,
                     **options) -> list[MigrationResult]:
    from schemawright.migrate import apply_migrations as apply

    return apply(directory, dsn, to=to, **options)


def undo_migrations(directory: str | Path, dsn: str | None = None, *, to: str | None = None,
                    **options) -> list[MigrationResult]:
    from schemawright.migrate import undo_migrations as undo

    return undo(directory, dsn, to=to, **options)


def migration_status(directory: str | Path, dsn: str | None = None, **options) -> StatusReport:
    from schemawright.migrate import migration_status as status

    return status(directory, dsn, **options)


def verify_migrations(directory: str | Path, dsn: str | None = None, **options) -> VerifyResult:
    from schemawright.migrate import verify_migrations as verify

    return verify(directory, dsn, **options)


def new_migration(directory: str | Path, description: str) -> tuple[Path, Path]:
    """The next V/U pair of empty migration files in ``directory``."""
    from schemawright.migrate import new_migration as new

    return new(directory, description)


def lint_schema(target: str | Path, dsn: str | None = None, **options) -> LintResult:
    """The schema rules (SW1xx-SW7xx) on any source the loader reads."""
    from schemawright.lint.schema import lint_schema as lint

    return lint(target, dsn, **options)


def lint_migrations(paths, **options) -> MigrationLintResult:
    """The migration-safety rules (SW5xx) on SQL files or folders."""
    from schemawright.lint.migration import lint_migrations as lint

    return lint(paths, **options)


def import_source(source: str, dsn: str | None = None, *, kind: str | None = None) -> ImportResult:
    """The canonical model of a PostgreSQL/MySQL/SQLite DDL file, a DBML file or a live database."""
    from schemawright.importers import import_source as read

    return read(source, dsn, kind=kind)


def seed(path: str | Path, dsn: str | None = None, **options) -> SeedResult:
    """Constraint-satisfying rows for the design in ``path`` (folder or task input), loaded into ``dsn``."""
    from schemawright.seed.run import seed as run

    return run(path, dsn, **options)


def bench(path: str | Path, dsn: str | None = None, **options) -> dict:
    """The workload benchmark of the design in ``path`` against its performance targets."""
    from schemawright.bench.run import bench as run

    return run(path, dsn, **options)


def advise(dsn: str | None, workload: list[tuple[str, float]], **options) -> Advice:
    """Indexes that measurably help ``workload`` ((query, weight) pairs) on the database at ``dsn``."""
    from schemawright.advise.advisor import advise as run
    from schemawright.db import connect, resolve_dsn

    with connect(resolve_dsn(dsn), autocommit=True) as conn:
        return run(conn, workload, **options)
