"""The Python API: every capability as one function with a typed result, for the CLI and any other front
end. No printing here. Each feature is imported when its function is called, so importing this module
loads no feature, driver or parser (``tests/test_cli.py`` checks it): the CLI imports it for every command.

    design_schema / design_project   task input -> Schema (+ the project folder)      -> DesignResult
    load_schema                      any source -> Schema (the one loader, project/sources.py)
    write_docs                       any source -> docs/ (dictionary, ERD images, PRD, HTML report)
    verify_project                   prove a project folder on PostgreSQL          -> VerifyReport
    diff / write_migration           two sources -> a migration (forward + undo)  -> diff.migration.Migration
    apply_migrations / undo_migrations / migration_status / verify_migrations / new_migration
    lint_schema / lint_migrations    the lint rules                                -> LintResult
    lint_report / lint_fails         a lint result as text/JSON/SARIF; at or above a severity?
    import_source                    SQL/DBML file or DSN -> canonical model      -> ImportResult
    import_to_file                   ... and written as a task input (with proofs) -> ImportOutput
    seed                             synthetic rows loaded with COPY              -> SeedResult
    bench / write_bench              the workload benchmark                       -> BenchResult
    advise / advise_workload         indexes for a workload                       -> Advice / WorkloadAdvice
    db_start / db_stop / db_status / db_url, announce_with       the embedded PostgreSQL server
    draft                            free text -> a validated task input (OpenAI-compatible endpoint) -> DraftResult
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from schemawright.errors import UsageError
from schemawright.project.layout import HISTORY_TABLE

if TYPE_CHECKING:
    from schemawright.advise.advisor import Advice
    from schemawright.diff.migration import Migration
    from schemawright.draft import DraftResult
    from schemawright.importers.common import ImportResult
    from schemawright.lint.migration import LintResult as MigrationLintResult
    from schemawright.lint.schema import LintResult
    from schemawright.migrate import MigrationResult, StatusReport, VerifyResult
    from schemawright.model.schema import Schema
    from schemawright.render import Artifact
    from schemawright.seed.run import SeedResult
    from schemawright.spec.models import TaskInput
    from schemawright.render.writer import DocsResult
    from schemawright.verify.report import VerifyReport

__all__ = [
    "HISTORY_TABLE", "BenchResult", "DesignResult", "ImportOutput", "WorkloadAdvice", "advise", "advise_workload",
    "announce_with", "apply_migrations", "bench", "db_start", "db_status", "db_stop", "db_url", "design_project",
    "design_schema", "diff", "import_source", "import_to_file", "lint_fails", "lint_migrations", "lint_report",
    "lint_schema", "load_schema", "migration_status", "new_migration", "seed", "undo_migrations",
    "verify_migrations", "verify_project", "write_bench", "write_migration",
]


# --- design and verify -----------------------------------------------------------------------------------

@dataclass
class DesignResult:
    spec: TaskInput
    schema: Schema
    artifacts: list[Artifact]
    counts: dict[str, int]
    out_dir: Path | None = None
    dialect: str = "postgresql"
    degradations: list = field(default_factory=list)  # dialects.base.Degradation (other targets only)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # outputs not written for the target


def design_schema(spec_path: str | Path) -> tuple[TaskInput, Schema]:
    """Load and validate a task input and design its schema (no files written)."""
    from schemawright.project.sources import design_task_input

    return design_task_input(spec_path)


def design_project(spec_path: str | Path, out_dir: str | Path | None = None, *, force: bool = False,
                   patterns: bool = True, dialect: str | None = None,
                   orms: list[str] | None = None, cache: str | None = None) -> DesignResult:
    """Design from a task input and, with ``out_dir``, write the project folder atomically.
    ``patterns=False``: do not match task.requirements to the domain patterns (``--no-patterns``). ``dialect``
    (postgresql, mysql/mariadb, sqlite, citus, mongodb; default: the input's ``project.database_type``) picks the
    target: the design is made for PostgreSQL and adapted (MongoDB: mapped to collections; Citus: distributed
    keys), with every loss reported (``degradations``). ``orms`` (sqlalchemy, alembic, django, typeorm, sequelize,
    prisma; default: the input's ``integration.orm_framework``): the ORM outputs. ``cache`` (redis; default: the
    input's ``integration.caching_layer``): the caching layer to generate."""
    from schemawright.design import design
    from schemawright.dialects import get_dialect
    from schemawright.project import preflight
    from schemawright.render import render_all
    from schemawright.render.docs import schema_counts
    from schemawright.render.writer import write_folder
    from schemawright.spec.load import load_task_input

    timings: dict[str, float] = {}
    start = time.perf_counter()
    spec, smap = load_task_input(spec_path)
    target = _target(dialect, spec, smap)
    schema = design(spec, smap, patterns=patterns)
    if cache:
        _set_cache(schema, cache)
    timings["design"] = time.perf_counter() - start
    start = time.perf_counter()
    degradations: list = []
    distribution: list = []
    if target not in ("postgresql", "mongodb"):  # MongoDB maps the PostgreSQL design itself (render/mongodb.py)
        adapter = get_dialect(target)
        schema, degradations = adapter.adapt(schema)
        distribution = getattr(adapter, "plan", [])
    # Citus is PostgreSQL with distributed keys: every PostgreSQL output, plus citus/ and docs/sharding.md
    artifacts = render_all(schema, timings=timings, dialect="postgresql" if target == "citus" else target,
                           degradations=degradations, distribution=distribution,
                           orms=tuple(o.strip().lower() for o in orms) if orms else None)
    if target == "mongodb":  # the mapping's losses, found while rendering (render/mongodb.py)
        from schemawright.render.dialect_report import degradations_of

        degradations = degradations_of(artifacts)
    timings["render"] = time.perf_counter() - start
    start = time.perf_counter()
    if target in ("postgresql", "citus"):
        preflight.check(schema, artifacts, smap)  # nothing the server rejects is written
    elif target == "sqlite":
        preflight.check_sqlite(artifacts)  # applied to an in-memory database
    timings["preflight"] = time.perf_counter() - start
    result = DesignResult(spec=spec, schema=schema, artifacts=artifacts, counts=schema_counts(schema),
                          dialect=target, degradations=degradations)
    if target not in ("postgresql", "citus"):
        from schemawright.render.dialect_report import skipped_outputs

        result.skipped = skipped_outputs(artifacts)
    if out_dir is not None:
        result.out_dir = write_folder(artifacts, out_dir, force=force)
    return result


def _set_cache(schema: Schema, cache: str) -> None:
    """``design --cache``: the caching layer the facts carry (render/cache_layer.py reads it)."""
    import dataclasses

    from schemawright.errors import SpecError, SpecProblem
    from schemawright.model.facts import Integration

    if cache.strip().lower() != "redis":
        raise SpecError(SpecProblem(message="unknown caching layer", path="--cache", expected="redis", got=cache))
    facts = schema.facts
    schema.facts = dataclasses.replace(facts, integration=dataclasses.replace(
        facts.integration or Integration(), caching_layer="redis"))


def _target(dialect: str | None, spec: TaskInput, smap) -> str:
    """The dialect to write: ``--dialect`` when given, else the input's ``project.database_type``."""
    from schemawright.dialects import CHOICES, DATABASE_TYPES
    from schemawright.errors import SpecError, SpecProblem

    if dialect is not None:
        name = {"mariadb": "mysql", "postgres": "postgresql"}.get(dialect.lower(), dialect.lower())
        if name not in CHOICES:
            raise SpecError(SpecProblem(message="unknown dialect", path="--dialect",
                                        expected=", ".join(CHOICES) + " (or mariadb)", got=dialect))
        return name
    database_type = spec.project.database_type
    name = DATABASE_TYPES.get(database_type)
    if name is None:
        raise SpecError(smap.problem(("project", "database_type"), f"database_type {database_type} is not "
                                     "designed by schemawright",
                                     expected="postgresql, citus, mysql, mariadb, sqlite or mongodb", got=database_type,
                                     hint="pass --dialect to design for a relational database instead"))
    return name


def load_schema(source: str, *, dsn: str | None = None) -> Schema:
    """The canonical model of any source: a task input, a model JSON, a design folder, a SQL file, a
    migrations folder or a PostgreSQL URL (SQL is applied to a scratch database on ``dsn``'s server)."""
    from schemawright.project.sources import load_schema as load

    return load(source, dsn=dsn)


def write_docs(source: str, out_dir: str | Path, *, dsn: str | None = None) -> DocsResult:
    """Document any source (``load_schema``'s kinds) into ``out_dir``: data dictionary, ER diagrams (Mermaid,
    SVG, PNG), PRD, schema overview, domain model, index strategy, capacity planning and the HTML report.
    A design folder's verification.json and bench.json, when present, go into the report. A MySQL or SQLite
    DDL script or a DBML file is read by its importer (what it skips becomes a warning)."""
    from schemawright.render.writer import write_docs as write

    path = Path(source)
    if path.is_file() and path.suffix.lower() in (".sql", ".ddl", ".dbml"):
        from schemawright.importers.sources import detect_kind

        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        kind = detect_kind(str(path), text)
        if kind in ("mysql", "sqlite", "dbml"):
            imported = import_source(str(path), dsn, kind=kind)
            skipped = [f"{kind} import, {line}" for line in imported.skipped_lines]
            return write(source, out_dir, dsn=dsn, schema=imported.schema, warnings=skipped)
    return write(source, out_dir, dsn=dsn)


def graphviz_missing() -> str | None:
    """Why the ER diagram images cannot be drawn on this machine (Graphviz's ``dot`` missing), else None."""
    from schemawright.render.erd_image import graphviz_missing as missing

    return missing()


def prove_backup(folder: str | Path, dsn: str | None = None, *, scale: float = 0.01) -> dict:
    """Back up a seeded copy of the design with its generated backup script, restore it into a new database and
    compare every table (row count, content checksum); times projected to the target volume (backup.json)."""
    from schemawright.bench.backup import prove_backup as prove

    return prove(folder, dsn, scale=scale)


def verify_project(folder: str | Path, *, dsn: str | None = None, progress=None) -> VerifyReport:
    """Prove the project folder on ``dsn`` (default: the embedded PostgreSQL); writes verification.json.
    ``progress``: a rich Console to show a progress bar on (the front end's choice)."""
    from schemawright.verify import verify_project as verify

    return verify(folder, dsn=dsn, progress=progress)


# --- diff and migrations ---------------------------------------------------------------------------------

def diff(source_from: str, source_to: str, *, dsn: str | None = None, allow_destructive: bool = False,
         **options) -> Migration:
    """The migration (forward and undo SQL) from one source to another; ``options``: see
    ``diff.migration.make_migration`` (online, description, lock and statement timeouts)."""
    from schemawright.diff.migration import make_migration

    return make_migration(source_from, source_to, dsn=dsn, allow_destructive=allow_destructive, **options)


def write_migration(migration: Migration, folder: str | Path, *, flyway: bool = False) -> list[Path]:
    """Write ``migration`` as the next V/U pair of ``folder``; the paths written, forward files first.
    ``flyway``: Flyway-ready files, each statement that cannot run in a transaction in a versioned file of
    its own with Flyway's ``<file>.conf`` (executeInTransaction=false) beside it (docs/migrations.md)."""
    from schemawright.diff.migration import write_migration as write

    return write(migration, Path(folder), flyway=flyway)


def apply_migrations(directory: str | Path, dsn: str | None = None, *, to: str | None = None,
                     **options) -> list[MigrationResult]:
    """Apply the pending migrations of ``directory`` in order (``options``: table, lock_timeout, reporter)."""
    from schemawright.migrate import apply_migrations as apply

    return apply(directory, dsn, to=to, **options)


def undo_migrations(directory: str | Path, dsn: str | None = None, *, to: str | None = None,
                    **options) -> list[MigrationResult]:
    """Undo the newest applied migration, or all above ``to``, with their U files."""
    from schemawright.migrate import undo_migrations as undo

    return undo(directory, dsn, to=to, **options)


def migration_status(directory: str | Path, dsn: str | None = None, **options) -> StatusReport:
    """Every version of ``directory``: applied, pending, failed, checksum mismatch or missing."""
    from schemawright.migrate import migration_status as status

    return status(directory, dsn, **options)


def verify_migrations(directory: str | Path, dsn: str | None = None, **options) -> VerifyResult:
    """Up, down to zero and up again in a scratch database; the catalogs must match."""
    from schemawright.migrate import verify_migrations as verify

    return verify(directory, dsn, **options)


def new_migration(directory: str | Path, description: str) -> tuple[Path, Path]:
    """The next V/U pair of empty migration files in ``directory``."""
    from schemawright.migrate import new_migration as new

    return new(directory, description)


# --- lint ------------------------------------------------------------------------------------------------

def lint_schema(target: str | Path, dsn: str | None = None, *, config=None,
                config_file: str | Path | None = None) -> LintResult:
    """The schema rules (SW1xx-SW7xx) on any source the loader reads; ``config_file``: a YAML lint config."""
    from schemawright.lint.schema import lint_schema as lint
    from schemawright.lint.schema import load_schema_config

    if config_file is not None:
        config = load_schema_config(config_file)
    return lint(target, dsn, config=config)


def lint_migrations(paths, *, config=None, config_file: str | Path | None = None, history: bool = True,
                    **options) -> MigrationLintResult:
    """The migration-safety rules (SW5xx) on SQL files or folders; ``options`` (pg_version,
    assume_in_transaction, per_file) override those of the config; None leaves them. ``history``: a migration
    file given alone is judged after the earlier versions of its folder (read, not reported on)."""
    from schemawright.lint.engine import LintConfig
    from schemawright.lint.migration import lint_migrations as lint
    from schemawright.lint.migration import load_migration_config

    if config_file is not None:
        config = load_migration_config(config_file)
    chosen = {k: v for k, v in options.items() if v is not None}
    if chosen:
        config = config or LintConfig()
        config = LintConfig(config.disable, config.severity, {**config.options, **chosen})
    return lint(paths, config=config, history=history)


def lint_report(result: LintResult | MigrationLintResult, fmt: str = "text") -> str:
    """A lint result as ``text``, ``json`` or ``sarif`` (ends with a newline)."""
    from schemawright.report_formats import format_findings

    files = getattr(result, "files", None)
    unmodelled = getattr(result, "unmodelled", None)  # schema lint: what no rule saw
    return format_findings(result.findings, fmt, rules=result.rules,
                           files_checked=None if files is None else len(files),
                           unmodelled=None if unmodelled is None else [u.to_dict() for u in unmodelled])


def lint_fails(result: LintResult | MigrationLintResult, fail_on: str) -> bool:
    """Whether a finding is at least ``fail_on`` (info, warning or error) severe; never for ``never``."""
    from schemawright.findings import Severity

    return fail_on != "never" and result.fails(Severity(fail_on))


# --- import ----------------------------------------------------------------------------------------------

def import_source(source: str, dsn: str | None = None, *, kind: str | None = None) -> ImportResult:
    """The canonical model of a PostgreSQL/MySQL/SQLite DDL file, a DBML file or a live database."""
    from schemawright.importers import import_source as read

    return read(source, dsn, kind=kind)


@dataclass
class ImportOutput:
    """What ``import_to_file`` read and wrote, and its proofs: (title, lines) pairs; titles ending in
    ``differences`` are differences the proof found."""

    result: ImportResult
    label: str  # the source as shown to users (a URL without its password)
    written: list[Path]
    counts: dict[str, int]
    checks: list[tuple[str, list[str]]] | None = None
    # What the source holds that the task input does not carry (kind, name, why): the model's unmodelled list
    # (a catalog's, or the statements the SQL importer skipped) and what the task input could not carry
    unmodelled: list = field(default_factory=list)

    @property
    def differences(self) -> bool:
        return any(lines for title, lines in self.checks or [] if title.endswith("differences"))


def import_to_file(source: str, output: str | Path, *, dsn: str | None = None, kind: str | None = None,
                   model: str | Path | None = None, check: bool = False, force: bool = False,
                   profile: bool = False) -> ImportOutput:
    """Import ``source`` and write it as a task input (YAML, or JSON for ``.json``) that designs back to the
    same schema; with ``model`` also the canonical model JSON; with ``check`` prove it on PostgreSQL; with
    ``profile`` (live databases) mine candidate functional dependencies from the data. Each
    file is written whole or not at all; existing files only with ``force``."""
    import json

    from schemawright.importers.to_spec import to_task_input, to_yaml

    output = Path(output)
    model = Path(model) if model is not None else None
    for path in filter(None, (output, model)):
        if path.exists() and not force:
            raise UsageError(f"{path} exists; use --force to replace it")
    result = import_source(source, dsn, kind=kind)
    label = _label(source)
    dependencies = None
    if profile:
        if result.source_kind != "database":
            raise UsageError("--profile reads the data: give a PostgreSQL URL as the source")
        from schemawright.importers.profile import mine_dependencies

        dependencies = mine_dependencies(source, result.schema)
    spec, carried_skipped = to_task_input(result, Path(label).stem or "imported", dependencies)
    if output.suffix.lower() == ".json":
        text = json.dumps(spec, indent=2, ensure_ascii=False) + "\n"
    else:
        text = to_yaml(result, label, dependencies=dependencies)
    from schemawright.model.schema import Unmodelled

    unmodelled = list(result.unmodelled)
    for note in carried_skipped[len(result.skipped_lines):]:  # what the task input could not carry
        subject, _, why = note.removeprefix("skipped: ").partition(": ")
        unmodelled.append(Unmodelled(kind="not carried:", name=subject, why=why or subject, schema=None))
    checks = _import_checks(source, result, dsn) if check else None
    _write_whole(output, text)
    written = [output]
    if model is not None:
        from schemawright.model.serialize import schema_to_json

        _write_whole(model, json.dumps(schema_to_json(result.schema), indent=2, ensure_ascii=False) + "\n")
        written.append(model)
    s = result.schema
    counts = {"tables": len(s.tables), "columns": sum(len(t.columns) for t in s.tables),
              "foreign keys": sum(len(t.foreign_keys) for t in s.tables),
              "indexes": sum(len(t.indexes) for t in s.tables),
              "checks": sum(len(t.checks) for t in s.tables), "enums": len(s.enums), "views": len(s.views),
              "functions": len(s.functions), "triggers": sum(len(t.triggers) for t in s.tables),
              "skipped": sum(x.count for x in result.skipped)}
    return ImportOutput(result=result, label=label, written=written, counts=counts, checks=checks,
                        unmodelled=unmodelled)


def _label(source: str) -> str:
    """The source as shown in the output: a URL without its password."""
    from schemawright.project.sources import is_dsn

    if not is_dsn(source):
        return source
    try:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(source)
        return f"database {info.get('dbname', '')} on {info.get('host', 'localhost')}"
    except Exception:  # an unparsable URL: say no more than that
        return "a PostgreSQL database"


def _import_checks(source: str, result, dsn: str | None) -> list[tuple[str, list[str]]]:
    from schemawright.importers.proof import check_against_catalog
    from schemawright.importers.roundtrip import build_design

    checks = []
    if result.source_kind == "postgresql":
        catalog = check_against_catalog(Path(source).read_text(encoding="utf-8-sig"), result, dsn)
        checks += [("statements PostgreSQL refused", catalog.load_errors),
                   ("script vs catalog differences", catalog.differences)]
    built = build_design(result, dsn, source)
    checks += [("design statements PostgreSQL refused", built.errors),
               ("import vs built design differences", built.differences)]
    return checks


def _write_whole(path: Path, text: str) -> None:
    """Write all of ``text`` or nothing (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- seed, bench, advise ---------------------------------------------------------------------------------

def seed(path: str | Path, dsn: str | None = None, **options) -> SeedResult:
    """Constraint-satisfying rows for the design in ``path`` (folder or task input), loaded into ``dsn``."""
    from schemawright.seed.run import seed as run

    return run(path, dsn, **options)


@dataclass
class BenchResult:
    """The bench.json document (``report``), the storage estimate checked against measured sizes (one line
    a table) and the declared query patterns that could not be measured (each a failure)."""

    report: dict
    storage_lines: list[str] = field(default_factory=list)

    @property
    def unmeasured(self) -> list[dict]:
        return self.report.get("unmeasured") or []


def bench(path: str | Path, dsn: str | None = None, **options) -> BenchResult:
    """The workload benchmark of the design in ``path`` against its performance targets, with the design's
    worth against primary keys only (``report["baseline_ratio"]``)."""
    from schemawright.bench.report import baseline_ratio, storage_lines
    from schemawright.bench.run import bench as run

    report = run(path, dsn, **options)
    report["baseline_ratio"] = baseline_ratio(report)
    return BenchResult(report=report, storage_lines=storage_lines(report))


def write_bench(result: BenchResult, folder: str | Path) -> list[Path]:
    """bench.json and the latency chart into ``folder``, the results into its agent_output.json when it is a
    design folder; the files written. OSError when the folder cannot be written."""
    from schemawright.bench.report import write_outputs

    return write_outputs(result.report, Path(folder))


def advise(dsn: str | None, workload: list[tuple[str, float]], **options) -> Advice:
    """Indexes that measurably help ``workload`` ((query, weight) pairs) on the database at ``dsn``."""
    from schemawright.advise.advisor import advise as run
    from schemawright.db import connect, resolve_dsn

    with connect(resolve_dsn(dsn), autocommit=True) as conn:
        return run(conn, workload, **options)


@dataclass
class WorkloadAdvice:
    queries: int  # how many queries the workload held
    advice: Advice


def advise_workload(workload: str, dsn: str | None = None, **options) -> WorkloadAdvice:
    """Index advice for a workload file (.sql, .log, .json, .csv) or ``"pg_stat_statements"`` (read from the
    database) on the database at ``dsn`` (or ``DATABASE_URL``, or the embedded server); ``options``: see
    ``advise.advisor.advise`` (use_hypopg, min_savings, measure, sample_rows)."""
    from schemawright.advise.advisor import advise as run
    from schemawright.advise.workload import from_pg_stat_statements, read_workload
    from schemawright.db import connect, resolve_dsn

    with connect(resolve_dsn(dsn, database=True), autocommit=True) as conn:
        queries = from_pg_stat_statements(conn) if workload == "pg_stat_statements" else read_workload(workload)
        return WorkloadAdvice(queries=len(queries), advice=run(conn, queries, **options))


# --- the embedded server ---------------------------------------------------------------------------------

def db_start() -> str:
    """Start the embedded PostgreSQL (initialising it on first use); its URL."""
    from schemawright.db import embedded

    return embedded.start()


def db_stop() -> bool:
    """Stop the embedded PostgreSQL (and the one started for extensions); False when none was running."""
    from schemawright.db import embedded

    return embedded.stop()


def db_status() -> dict:
    """Whether the embedded server runs, where, and which version."""
    from schemawright.db import embedded

    return embedded.status()


def db_url() -> str | None:
    """The embedded server's URL, None when it is not running."""
    from schemawright.db import embedded

    return embedded.url()


def announce_with(announcer: Callable[[str], None] | None) -> None:
    """Where the line saying which server and database a command uses goes before it changes anything
    (the CLI: stderr); None: nowhere (the default of the Python API)."""
    from schemawright.db.dsn import set_announcer

    set_announcer(announcer)


def draft(description: str, *, base_url: str | None = None, model: str | None = None,
          api_key: str | None = None) -> DraftResult:
    """A task input for ``description`` proposed by an OpenAI-compatible endpoint (default: named by the
    SCHEMAWRIGHT_LLM_* environment variables), accepted only once it passes validation and the designer."""
    from schemawright.draft import draft_task_input, endpoint_from_env
    from schemawright.draft.draft import Endpoint

    endpoint = Endpoint(base_url.rstrip("/"), model, api_key) if base_url and model else endpoint_from_env()
    return draft_task_input(description, endpoint)
