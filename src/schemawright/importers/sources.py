"""Which importer reads a source, and the database one (a live catalog)."""

from __future__ import annotations

import re
from pathlib import Path

from schemawright.importers.common import ImportResult, ImportSourceError, Skipped
from schemawright.importers.script import code_only

KINDS = ("postgresql", "mysql", "sqlite", "dbml", "database")
_MYSQL_HINTS = re.compile(r"`|\bENGINE\s*=|\bAUTO_INCREMENT\b|^\s*DELIMITER\b|\bUNSIGNED\b|/\*!\d+", re.I | re.M)
_SQLITE_HINTS = re.compile(r"\bAUTOINCREMENT\b|^\s*PRAGMA\b|\bWITHOUT\s+ROWID\b|\bsqlite_", re.I | re.M)
_PG_HINTS = re.compile(r"\bSERIAL\b|::|\$\$|\bpg_catalog\b|\bOWNER\s+TO\b|\bplpgsql\b|\bTIMESTAMPTZ\b|\bJSONB\b",
                       re.I)
_DBML_HINTS = re.compile(r"^\s*(Table|Ref|Enum|Project|TableGroup)\b[^\n(]*\{", re.M)


def detect_kind(source: str, text: str | None = None) -> str:
    """postgresql | mysql | sqlite | dbml | database, from the source's form, name and content."""
    from schemawright.project.sources import is_dsn

    if is_dsn(source):
        return "database"
    path = Path(source)
    if path.suffix.lower() == ".dbml":
        return "dbml"
    sample = code_only((text or "")[:200_000])  # literals and comments never decide the dialect
    if _DBML_HINTS.search(sample) and "CREATE TABLE" not in sample.upper():
        return "dbml"
    named = " ".join(path.parts[-4:]).lower()
    scores = {kind: len(rx.findall(sample)) + (10_000 if kind in named else 0) for kind, rx in
              (("mysql", _MYSQL_HINTS), ("sqlite", _SQLITE_HINTS), ("postgresql", _PG_HINTS))}
    best = max(scores, key=lambda k: (scores[k], k == "postgresql"))
    return best if scores[best] else "postgresql"


def import_source(source: str, dsn: str | None = None, *, kind: str | None = None) -> ImportResult:
    """The canonical model of ``source``: a PostgreSQL URL (read from the live catalog, with ``dsn``
    ignored), or a SQL or DBML file (``kind`` forces the dialect; default: detected from the content)."""
    if kind is not None and kind not in KINDS:
        raise ImportSourceError(f"unknown source kind {kind!r} (expected one of {', '.join(KINDS)})")
    from schemawright.project.sources import is_dsn

    if kind == "database" or (kind is None and is_dsn(source)):
        return import_database(source)
    path = Path(source)
    if not path.is_file():
        raise ImportSourceError(f"{source}: no such file (expected a .sql or .dbml file, or a PostgreSQL URL)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportSourceError(f"{source}: cannot be read: {exc}") from exc
    kind = kind or detect_kind(source, text)
    if kind == "dbml":
        from schemawright.importers.dbml import import_dbml

        return import_dbml(text, source)
    if kind in ("mysql", "sqlite"):
        from schemawright.importers.foreign_sql import import_foreign_sql

        return _not_empty(import_foreign_sql(text, kind, source), text, source)
    from schemawright.importers.postgres_sql import import_postgres_sql

    return _not_empty(import_postgres_sql(text, source), text, source)


_CREATE_TABLE_RE = re.compile(r"\bCREATE\s+(?:(?:GLOBAL|LOCAL|TEMP|TEMPORARY|UNLOGGED)\s+)*TABLE\b", re.I)


def _not_empty(result: ImportResult, text: str, source: str) -> ImportResult:
    """Refuse (exit 2) a result without a single table from a script that creates tables: a wrong dialect or
    a script the importer cannot read, never "imported 0 tables" with success."""
    code = code_only(text)
    if result.schema.tables or not _CREATE_TABLE_RE.search(code):
        return result
    count = len(_CREATE_TABLE_RE.findall(code))
    skipped = "".join(f"\n  {line}" for line in result.skipped_lines[:10])
    raise ImportSourceError(f"{source}: read as {result.source_kind}, its {count} CREATE TABLE statement(s) gave "
                            "no table; nothing was imported. If the dialect is wrong, pass --dialect "
                            f"(postgresql, mysql, sqlite){skipped}")


def import_database(dsn: str) -> ImportResult:
    """Every user schema of a live PostgreSQL database, with the import rewrites (serials, domains)."""
    from schemawright.db import connect
    from schemawright.project.sources import inspect_database

    with connect(dsn) as conn:
        schema = inspect_database(conn)
    return ImportResult(schema, normalize_catalog(schema), "database")


def normalize_catalog(schema) -> list[Skipped]:
    """The import's view of a model read from a catalog; returns what the model does not hold, as notes."""
    notes: list[Skipped] = []
    for table in schema.tables:
        table.origin.rule = "import.database"
    # What the catalog holds that the model does not: listed, never dropped silently.
    notes += [Skipped(u.kind, None, f"{u.label}: {u.why}" + (f" [{u.definition}]" if u.definition else ""))
              for u in schema.unmodelled or ()]
    notes += _privileges(schema)
    notes += [Skipped("trigger", None, f"trigger {tr.name} on view {v.name}: triggers on views are not carried by the "
                      "task input") for v in schema.views for tr in v.triggers]
    return notes


def _privileges(schema) -> list[Skipped]:
    """The catalog's privileges a task input does not carry (a design creates its own roles and grants): each
    object's grants, EXECUTE revoked from PUBLIC (a function's default), default privileges. PUBLIC's default
    EXECUTE on a function is no grant of the schema's own and is not listed."""
    def label(kind: str, sch: str, name: str) -> str:
        return f"{kind} {name if sch == 'public' or kind == 'schema' else f'{sch}.{name}'}"

    notes, by_object = [], {}
    for g in schema.grants:
        if g.grantee == "PUBLIC" and (g.object_type, g.privileges) == ("function", ("EXECUTE",)) or \
                (g.object_type, g.object_name, g.grantee) == ("schema", "public", "PUBLIC"):
            continue  # PostgreSQL's defaults, which a design gets too
        by_object.setdefault((g.object_type, g.schema, g.object_name), []).append(
            f"{', '.join(g.privileges)} to {g.grantee}" + (" WITH GRANT OPTION" if g.grant_option else ""))
    for (kind, sch, name), granted in by_object.items():
        notes.append(Skipped("grant", None, f"grants on {label(kind, sch, name)}: {'; '.join(granted)}: roles and "
                             "privileges are not carried by the task input (a design grants to its own roles)"))
    public = {(g.schema, g.object_name) for g in schema.grants if g.object_type == "function" and g.grantee == "PUBLIC"}
    notes += [Skipped("grant", None, f"EXECUTE on {label('function', f.schema, f.name)} is revoked from "
                      "PUBLIC: not carried by the task input (a designed function keeps PostgreSQL's default)")
              for f in schema.functions if (f.schema, f.name) not in public]
    notes += [Skipped("default privileges", None, f"default privileges of {d}: not carried by the task input")
              for d in schema.default_privileges]
    return notes
