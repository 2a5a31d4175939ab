"""Lint a database schema: naming, structure, types, indexes, security and (on a live database) health.

    result = lint_schema("db/schema.sql")                       # SQL applied to a scratch database
    result = lint_schema("postgresql://app@db/prod")            # a live database: activity rules too
    result = lint_schema("examples/ecommerce.json")             # a task input, designed on the fly
    for finding in result.findings: ...

Targets: a PostgreSQL URL, a SQL file, a folder of SQL files or migrations (``V<n>__*.sql``), a folder
written by ``schemawright design``, a task input or a schema model JSON. Rules that need a database
(catalog facts) are skipped for model-only targets; rules that need activity statistics (SW7xx) run
on live targets only. Findings are suppressed by the config's ``ignore`` entries and by
``schemawright:ignore SW201 ...`` markers in an object's comment (``COMMENT ON ...``), its parent's
or its schema's, or in a ``--`` comment on the SQL statement that created it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg
from psycopg import sql

from schemawright.db import connect, resolve_dsn, scratch_database
from schemawright.errors import SpecError
from schemawright.findings import Finding, RuleInfo, Severity
from schemawright.lint.engine import ActiveRules, LintConfig, RuleSet, is_suppressed
from schemawright.lint.live import Activity, Catalog, read_activity, read_catalog
from schemawright.lint.schema_context import SchemaContext
from schemawright.lint.schema_rules import ALL_RULES
from schemawright.lint.schema_rules.base import Namespace
from schemawright.lint.schema_settings import SchemaSettings, load_schema_settings_config
from schemawright.lint.schema_sources import Anchors, input_anchors, sql_anchors
from schemawright.lint.source import parse_files
from schemawright.model.schema import Schema, Unmodelled
from schemawright.project.sources import (MODEL_FILE, SourceError, apply_sql, design_with_source_map, inspect_database,
                                          is_dsn, load_schema, migration_files)

SCHEMA_RULES = RuleSet(ALL_RULES)
PHYSICAL_SQL = Path("models/physical/physical_model.sql")


@dataclass(frozen=True)
class LintResult:
    """The findings of a schema lint, the rules that ran and those the target could not feed."""

    findings: list[Finding]
    target: str
    objects: int  # tables, views, functions, types, policies and catalog objects checked
    rules: list[RuleInfo]
    skipped: list[str] = field(default_factory=list)  # codes of rules needing a database / live statistics
    live: bool = False
    suppressed: int = 0
    # What the catalog holds that the schema model does not (inspect.unmodelled): no rule saw these
    unmodelled: list[Unmodelled] = field(default_factory=list)

    def fails(self, threshold: Severity) -> bool:
        return any(f.severity.at_least(threshold) for f in self.findings)


def load_schema_config(path: str | Path) -> LintConfig:
    """Read a schema-lint config (YAML: ``disable``, ``severity``, ``naming``, ``thresholds``,
    ``exposed_roles``, ``schemas``, ``ignore``); ``SpecError`` with located problems otherwise."""
    return load_schema_settings_config(path, SCHEMA_RULES)


def lint_schema(target: str | Path, dsn: str | None = None, config: LintConfig | None = None) -> LintResult:
    """Lint ``target`` (see the module doc); ``dsn``: the server SQL targets are applied on (default: embedded)."""
    text = str(target)
    if is_dsn(text):
        with connect(text, autocommit=True) as conn:
            return lint_connection(conn, config=config, live=True, target=_redact(text))
    path = Path(text)
    if path.is_dir():
        if (path / MODEL_FILE).is_file():
            load_schema(text)  # a folder designed for another database is refused here, with the reason
            physical = path / PHYSICAL_SQL
            anchors = sql_anchors(parse_files([physical]), SCHEMA_RULES.parse_ignore) if physical.is_file() else None
            return lint_model(load_schema(text), config=config, anchors=anchors, target=text)
        return _lint_sql(_sql_files(path), dsn, config, text)
    if path.is_file() and path.suffix.lower() == ".sql":
        return _lint_sql([path], dsn, config, text)
    if path.is_file() and path.suffix.lower() in (".json", ".yaml", ".yml"):
        schema, anchors = _model_of_file(path)
        return lint_model(schema, config=config, anchors=anchors, target=text)
    return lint_model(load_schema(text), config=config, target=text)  # load_schema explains what is wrong


def lint_connection(conn: psycopg.Connection, *, config: LintConfig | None = None, live: bool = True,
                    anchors: Anchors | None = None, target: str = "<connection>") -> LintResult:
    """Lint the database ``conn`` is connected to (inside its current transaction, if one is open);
    ``live``: read the activity statistics and run the SW7xx rules."""
    settings = _settings(config)
    schema = _only(inspect_database(conn), settings.schemas)
    schemas = list(dict.fromkeys([*schema.schemas, *(t.schema for t in schema.tables)]))
    catalog = read_catalog(conn, schemas, settings.exposed_roles)
    activity = read_activity(conn, schemas) if live else None
    return lint_model(schema, config=config, catalog=catalog, activity=activity, anchors=anchors, target=target)


def lint_model(schema: Schema, *, config: LintConfig | None = None, catalog: Catalog | None = None,
               activity: Activity | None = None, anchors: Anchors | None = None,
               target: str = "<model>") -> LintResult:
    """Lint a schema model, with the catalog facts and activity of its database when there is one."""
    config = config or LintConfig()
    settings = _settings(config)
    schema = _only(schema, settings.schemas)
    # a partition's key, indexes and columns are its parent's (read from a catalog since branch i13): the rules
    # judge the parent, as they did when the catalog reader left partitions out
    schema = replace(schema, tables=[t for t in schema.tables if t.partition_of is None])
    ctx = SchemaContext(schema, settings, catalog, activity, anchors)
    configured = SCHEMA_RULES.configure(config)
    runnable = [r for r in configured.rules if _can_run(r, ctx)]
    active = ActiveRules(runnable)
    skipped = [r.code for r in configured.rules if r not in runnable]
    comments = _comments(schema, catalog)
    findings, suppressed, objects = [], 0, 0
    for target_object in _targets(schema, catalog):
        objects += 1
        for finding in active.check(target_object, ctx):
            if _suppressed(finding, settings, comments, anchors):
                suppressed += 1
            else:
                findings.append(finding)
    findings.sort(key=Finding.sort_key)
    return LintResult(findings, target, objects, active.infos(), skipped, activity is not None, suppressed,
                      list(schema.unmodelled or ()))


# --- targets ---------------------------------------------------------------------------------------

def _lint_sql(files: list[Path], dsn: str | None, config: LintConfig | None, target: str) -> LintResult:
    parsed = parse_files(files)
    anchors = sql_anchors(parsed, SCHEMA_RULES.parse_ignore)
    server = resolve_dsn(dsn)
    roles_before = _roles(server)
    try:
        with scratch_database(server, prefix="sw_lint") as scratch, connect(scratch, autocommit=True) as conn:
            conn.execute("SET synchronous_commit = off")
            for file in parsed:
                apply_sql(conn, file.text, file.path)
            return lint_connection(conn, config=config, live=False, anchors=anchors, target=target)
    finally:  # only roles the SQL names: other sessions may be creating roles on a shared server meanwhile
        created = _roles(server) - roles_before
        _drop_roles(server, {r for r in created if any(r in _created_roles(f.text) for f in parsed)})


_CREATE_ROLE = re.compile(r"""CREATE\s+(?:ROLE|USER|GROUP)\s+("(?:[^"]|"")+"|\w+)""", re.IGNORECASE)


def _created_roles(text: str) -> set[str]:
    """Names in CREATE ROLE/USER/GROUP statements of a script, DO blocks included."""
    return {n[1:-1].replace('""', '"') if n.startswith('"') else n.lower() for n in _CREATE_ROLE.findall(text)}


def _roles(server: str) -> set[str]:
    with connect(server, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}


def _drop_roles(server: str, roles: set[str]) -> None:
    """Roles are cluster-wide: drop the ones the linted SQL created, once its scratch database is gone."""
    with connect(server, autocommit=True) as conn:
        for role in sorted(roles):
            try:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
            except psycopg.Error:
                pass  # still owns something elsewhere (not created by us after all): leave it



def _sql_files(folder: Path) -> list[Path]:
    from schemawright.lint.migration import collect_sql_files

    files = migration_files(folder) or migration_files(folder / "migrations")
    if files:
        return files
    try:
        return collect_sql_files([folder])
    except SpecError:
        raise SourceError(f"{folder}: no .sql files, and not a folder written by 'schemawright design' "
                          f"(no {MODEL_FILE})") from None


def _model_of_file(path: Path) -> tuple[Schema, Anchors | None]:
    """A schema model JSON as is, or a task input designed (with anchors at its entries)."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        if '"schemawright.schema"' in fh.read(200):
            return load_schema(str(path)), Anchors(str(path))
    _, smap, schema = design_with_source_map(path)
    return schema, input_anchors(schema, smap)


def _redact(dsn: str) -> str:
    from schemawright.db.dsn import redact

    return redact(dsn)


# --- walking and suppressing -----------------------------------------------------------------------

def _settings(config: LintConfig | None) -> SchemaSettings:
    return SchemaSettings.from_options((config or LintConfig()).options, SCHEMA_RULES)


def _can_run(rule, ctx: SchemaContext) -> bool:
    needs = getattr(rule, "needs", "model")
    return needs == "model" or (needs == "catalog" and ctx.catalog is not None) or (needs == "live" and ctx.live)


def _only(schema: Schema, schemas: tuple[str, ...]) -> Schema:
    """The model restricted to ``schemas`` (all of it when empty)."""
    if not schemas:
        return schema
    keep = set(schemas)
    return replace(schema, tables=[t for t in schema.tables if t.schema in keep],
                   views=[v for v in schema.views if v.schema in keep],
                   functions=[f for f in schema.functions if f.schema in keep],
                   enums=[e for e in schema.enums if e.schema in keep],
                   policies=[p for p in schema.policies if p.schema in keep],
                   grants=[g for g in schema.grants if g.schema in keep],
                   unmodelled=None if schema.unmodelled is None else [
                       u for u in schema.unmodelled if u.schema is None or u.schema in keep],
                   schemas=[s for s in (schema.schemas or schemas) if s in keep])


def _targets(schema: Schema, catalog: Catalog | None) -> Iterator[object]:
    names = list(dict.fromkeys([*schema.schemas, *(t.schema for t in schema.tables)]))
    by_schema: dict[str, list] = {n: [] for n in names}
    for table in schema.tables:
        by_schema[table.schema].append(table)
    for name, tables in by_schema.items():
        yield Namespace(name, tuple(tables))
    yield from schema.tables
    yield from schema.views
    yield from schema.functions
    yield from schema.enums
    yield from schema.policies
    if catalog is not None:
        linted = set(names)
        yield from (e for e in catalog.extensions if e.schema in linted)
        yield from (s for s in catalog.sequences if s.schema in linted)


def _comments(schema: Schema, catalog: Catalog | None) -> dict[str, str]:
    """Object path -> comment, for the ``schemawright:ignore`` markers in comments."""
    found = dict(catalog.comments) if catalog else {}
    for t in schema.tables:
        base = f"{t.schema}.{t.name}"
        found[base] = t.comment or ""
        for member in (*t.columns, *t.indexes, *t.checks):
            if member.comment:
                found[f"{base}.{member.name}"] = member.comment
    for obj in (*schema.views, *schema.functions, *schema.enums):
        if obj.comment:
            found[f"{obj.schema}.{obj.name}"] = obj.comment
    for p in schema.policies:
        if p.comment:
            found[f"{p.schema}.{p.table}.{p.name}"] = p.comment
    return {path: text for path, text in found.items() if text and "schemawright" in text.lower()}


def _suppressed(finding: Finding, settings: SchemaSettings, comments: dict[str, str],
                anchors: Anchors | None) -> bool:
    path = finding.location.object
    if any(entry.matches(finding.rule, path) for entry in settings.ignore):
        return True
    while path:
        comment = comments.get(path) or comments.get(path.split("(", 1)[0])
        if comment is not None:
            parsed = SCHEMA_RULES.parse_ignore(comment)
            if parsed is not None and is_suppressed(finding, parsed[1]):
                return True
        path = path.rpartition(".")[0]
    anchor = anchors.find(finding.location.object) if anchors and finding.location.object else None
    return bool(anchor and anchor.suppressed and is_suppressed(finding, anchor.suppressed))
