"""What the schema lint reads from a database beyond the schema model.

``Catalog`` holds catalog facts the model does not carry (function settings, extension schemas,
sequences and their values, view options, who may read or execute what, comments on constraints and
schemas, planner statistics); it is read wherever there is a database, a scratch one included.
``Activity`` holds the cumulative statistics (``pg_stat_user_tables``/``pg_stat_user_indexes``),
which only mean something on a database that has served traffic, so it is read for live targets only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

_NOT_EXTENSION_MEMBER = """NOT EXISTS (SELECT 1 FROM pg_depend dep
    WHERE dep.classid = '{catalog}'::regclass AND dep.objid = {oid} AND dep.deptype = 'e')"""

_FUNCTIONS_SQL = """
SELECT n.nspname AS schema, p.proname AS name, pg_get_function_arguments(p.oid) AS arguments,
       p.prosecdef AS security_definer, coalesce(p.proconfig, '{}') AS config,
       EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
               WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE') AS public_execute,
       ARRAY(SELECT r FROM unnest(%(roles)s::text[]) AS r WHERE has_function_privilege(r, p.oid, 'EXECUTE'))
           AS executable_by
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY(%(schemas)s) AND p.prokind IN ('f', 'p')
  AND """ + _NOT_EXTENSION_MEMBER.format(catalog="pg_proc", oid="p.oid")

_RELATIONS_SQL = """
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, coalesce(c.reloptions, '{}') AS options,
       r.rolsuper OR r.rolbypassrls AS owner_bypasses_rls,
       EXISTS (SELECT 1 FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
               WHERE a.grantee = 0 AND a.privilege_type = 'SELECT') AS public_select,
       ARRAY(SELECT x FROM unnest(%(roles)s::text[]) AS x WHERE has_table_privilege(x, c.oid, 'SELECT'))
           AS readable_by,
       c.reltuples::bigint AS reltuples, c.relpages::bigint AS relpages,
       current_setting('block_size')::int AS block_size
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles r ON r.oid = c.relowner
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
  AND """ + _NOT_EXTENSION_MEMBER.format(catalog="pg_class", oid="c.oid")

_EXTENSIONS_SQL = """
SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version, a.default_version,
       e.extrelocatable AS relocatable,
       EXISTS (SELECT 1 FROM pg_available_extension_versions v WHERE v.name = e.extname
               AND v.version = e.extversion) AS known_version
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_available_extensions a ON a.name = e.extname
WHERE e.extname <> 'plpgsql' ORDER BY e.extname"""

_SEQUENCES_SQL = """
SELECT s.schemaname AS schema, s.sequencename AS name, s.data_type::text AS data_type, s.last_value,
       s.max_value, s.increment_by, s.cycle,
       tn.nspname AS table_schema, t.relname AS table_name, a.attname AS column_name,
       format_type(a.atttypid, NULL) AS column_type
FROM pg_sequences s
JOIN pg_namespace n ON n.nspname = s.schemaname
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.sequencename
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE s.schemaname = ANY(%(schemas)s) ORDER BY 1, 2"""

_COMMENTS_SQL = """
SELECT n.nspname AS path, obj_description(n.oid, 'pg_namespace') AS comment
FROM pg_namespace n WHERE n.nspname = ANY(%(schemas)s) AND obj_description(n.oid, 'pg_namespace') IS NOT NULL
UNION ALL
SELECT n.nspname || '.' || c.relname || '.' || con.conname, obj_description(con.oid, 'pg_constraint')
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND con.contype IN ('p', 'u', 'f', 'x')
  AND obj_description(con.oid, 'pg_constraint') IS NOT NULL
UNION ALL
SELECT n.nspname || '.' || c.relname || '.' || pol.polname, obj_description(pol.oid, 'pg_policy')
FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s) AND obj_description(pol.oid, 'pg_policy') IS NOT NULL
UNION ALL
SELECT n.nspname || '.' || e.extname, obj_description(e.oid, 'pg_extension')
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE obj_description(e.oid, 'pg_extension') IS NOT NULL"""

_COLUMN_STATS_SQL = """
SELECT schemaname AS schema, tablename AS table, attname AS column, null_frac, avg_width, n_distinct
FROM pg_stats WHERE schemaname = ANY(%(schemas)s) AND NOT inherited"""

_TABLE_ACTIVITY_SQL = """
SELECT schemaname AS schema, relname AS name, seq_scan, seq_tup_read, coalesce(idx_scan, 0) AS idx_scan,
       n_tup_ins, n_tup_upd, n_tup_del, n_live_tup, n_dead_tup,
       greatest(last_vacuum, last_autovacuum) AS last_vacuum,
       greatest(last_analyze, last_autoanalyze) AS last_analyze,
       pg_table_size(relid) AS size_bytes
FROM pg_stat_user_tables WHERE schemaname = ANY(%(schemas)s)"""

_INDEX_ACTIVITY_SQL = """
SELECT s.schemaname AS schema, s.relname AS table, s.indexrelname AS name, s.idx_scan,
       pg_relation_size(s.indexrelid) AS size_bytes, i.indisunique AS is_unique, i.indisprimary AS is_primary,
       EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = s.indexrelid AND con.contype IN ('p', 'u', 'x'))
           AS backs_constraint
FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.schemaname = ANY(%(schemas)s)"""

_STATS_RESET_SQL = "SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()"

INTEGER_MAX = {"smallint": 32_767, "integer": 2_147_483_647, "bigint": 9_223_372_036_854_775_807}


@dataclass(frozen=True)
class FunctionFacts:
    schema: str
    name: str
    arguments: str
    security_definer: bool
    config: tuple[str, ...]  # proconfig: "search_path=''", ...
    public_execute: bool
    executable_by: tuple[str, ...]  # the exposed roles that may execute it (directly or through PUBLIC)

    @property
    def search_path(self) -> str | None:
        """The pinned ``search_path``, or None when the function inherits the caller's."""
        for item in self.config:
            key, _, value = item.partition("=")
            if key.strip().lower() == "search_path":
                return value
        return None


@dataclass(frozen=True)
class RelationFacts:
    schema: str
    name: str
    kind: str  # r, p, v, m, f (pg_class.relkind)
    options: tuple[str, ...]
    owner_bypasses_rls: bool
    public_select: bool
    readable_by: tuple[str, ...]
    reltuples: int  # -1: never analyzed (PostgreSQL 14+)
    relpages: int
    block_size: int

    @property
    def security_invoker(self) -> bool:
        return any(o.lower() in ("security_invoker=true", "security_invoker=on", "security_invoker=1")
                   for o in self.options)


@dataclass(frozen=True)
class Extension:
    """An installed extension (a lint target)."""

    name: str
    schema: str
    version: str
    default_version: str | None
    relocatable: bool
    known_version: bool  # the installed version is one the server's extension files describe


@dataclass(frozen=True)
class Sequence:
    """A sequence with its current value and the column it feeds (a lint target)."""

    schema: str
    name: str
    data_type: str
    last_value: int | None
    max_value: int
    increment_by: int
    cycle: bool
    table_schema: str | None
    table_name: str | None
    column_name: str | None
    column_type: str | None

    @property
    def limit(self) -> int:
        """The largest value that fits both the sequence and the column it feeds."""
        column_max = INTEGER_MAX.get(self.column_type or "", self.max_value)
        return min(self.max_value, column_max) if self.increment_by > 0 else self.max_value


@dataclass(frozen=True)
class ColumnStats:
    null_frac: float
    avg_width: int
    n_distinct: float  # > 0: a count; < 0: minus the fraction of rows (pg_stats)

    def distinct(self, rows: int) -> float:
        return self.n_distinct if self.n_distinct >= 0 else -self.n_distinct * max(rows, 0)


@dataclass
class Catalog:
    server_version: int
    functions: dict[tuple[str, str, str], FunctionFacts] = field(default_factory=dict)  # (schema, name, args)
    relations: dict[tuple[str, str], RelationFacts] = field(default_factory=dict)
    extensions: list[Extension] = field(default_factory=list)
    sequences: list[Sequence] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)  # object path -> comment (schemas, constraints...)
    column_stats: dict[tuple[str, str, str], ColumnStats] = field(default_factory=dict)
    roles: frozenset[str] = frozenset()  # the exposed roles that exist on the server


@dataclass(frozen=True)
class TableActivity:
    seq_scan: int
    seq_tup_read: int
    idx_scan: int
    n_tup_ins: int
    n_tup_upd: int
    n_tup_del: int
    n_live_tup: int
    n_dead_tup: int
    last_vacuum: datetime | None
    last_analyze: datetime | None
    size_bytes: int

    @property
    def writes(self) -> int:
        return self.n_tup_ins + self.n_tup_upd + self.n_tup_del

    @property
    def scans(self) -> int:
        return self.seq_scan + self.idx_scan


@dataclass(frozen=True)
class IndexActivity:
    table: str
    idx_scan: int
    size_bytes: int
    is_unique: bool
    is_primary: bool
    backs_constraint: bool


@dataclass
class Activity:
    tables: dict[tuple[str, str], TableActivity] = field(default_factory=dict)
    indexes: dict[tuple[str, str], IndexActivity] = field(default_factory=dict)  # (schema, index name)
    stats_reset: datetime | None = None


def read_catalog(conn: psycopg.Connection, schemas: list[str], exposed_roles: tuple[str, ...]) -> Catalog:
    """The catalog facts of ``schemas``; ``exposed_roles`` that do not exist are ignored."""
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(exposed_roles),))
        roles = sorted(r["rolname"] for r in cur.fetchall())
        args = {"schemas": schemas, "roles": roles}
        catalog = Catalog(conn.info.server_version, roles=frozenset(roles))
        cur.execute(_FUNCTIONS_SQL, args)
        for r in cur.fetchall():
            catalog.functions[(r["schema"], r["name"], r["arguments"])] = FunctionFacts(
                r["schema"], r["name"], r["arguments"], r["security_definer"], tuple(r["config"]),
                r["public_execute"], tuple(r["executable_by"]))
        cur.execute(_RELATIONS_SQL, args)
        for r in cur.fetchall():
            catalog.relations[(r["schema"], r["name"])] = RelationFacts(
                r["schema"], r["name"], r["kind"], tuple(r["options"]), r["owner_bypasses_rls"], r["public_select"],
                tuple(r["readable_by"]), r["reltuples"], r["relpages"], r["block_size"])
        cur.execute(_EXTENSIONS_SQL)
        catalog.extensions = [Extension(**r) for r in cur.fetchall()]
        cur.execute(_SEQUENCES_SQL, args)
        catalog.sequences = [Sequence(**r) for r in cur.fetchall()]
        cur.execute(_COMMENTS_SQL, args)
        catalog.comments = {r["path"]: r["comment"] for r in cur.fetchall()}
        cur.execute(_COLUMN_STATS_SQL, args)
        catalog.column_stats = {(r["schema"], r["table"], r["column"]): ColumnStats(
            r["null_frac"], r["avg_width"], r["n_distinct"]) for r in cur.fetchall()}
    return catalog


def read_activity(conn: psycopg.Connection, schemas: list[str]) -> Activity:
    """The cumulative statistics of the tables and indexes of ``schemas``."""
    args = {"schemas": schemas}
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        activity = Activity()
        cur.execute(_TABLE_ACTIVITY_SQL, args)
        for r in cur.fetchall():
            key = (r.pop("schema"), r.pop("name"))
            activity.tables[key] = TableActivity(**r)
        cur.execute(_INDEX_ACTIVITY_SQL, args)
        for r in cur.fetchall():
            key = (r.pop("schema"), r.pop("name"))
            activity.indexes[key] = IndexActivity(**r)
        cur.execute(_STATS_RESET_SQL)
        row = cur.fetchone()
        activity.stats_reset = row["stats_reset"] if row else None
    return activity
