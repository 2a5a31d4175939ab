"""Distribution for Citus (``design --dialect citus``): the plan, the static checks, the skew simulation and
the distribute SQL. ``dialects/citus.py`` applies the plan to a design (``adapt``); renderers import this
module (not the dialect, which builds on the PostgreSQL one).

Citus: the PostgreSQL design, distributed.

Like the MySQL/SQLite targets this is an adaptation of the PostgreSQL design (``adapt``), but Citus *is*
PostgreSQL, so the SQL is the PostgreSQL dialect's; what changes is the keys. ``distribution_plan`` picks, per
table, hash distribution on a column, a reference table (replicated to every node) or, for nothing else, a
local table, from (in order):

1. the tenancy the designer found (``facts.tenancy``: the tenants' table and each scoped table's tenant
   column): every scoped table is distributed on its tenant column, colocated with the tenants' table;
2. otherwise the *owner* entity: the table whose key the most rows reference directly (sum of the estimated
   rows of the tables with a required single-column reference to it); it and those tables form one
   colocation group on that key, so joins along those references stay on one shard;
3. small shared lookups (lookup/reference kinds, or under ``REFERENCE_MAX_ROWS`` rows and referenced by a
   distributed table) become reference tables; any other large table is distributed on its own key (its
   joins to the group are reported as cross-shard).

``adapt`` then rewrites the keys as Citus requires (the distribution column in every PRIMARY KEY, UNIQUE
constraint and unique index of a distributed table; foreign keys between distributed tables colocated and
including the distribution column on both sides) and reports each change, and each thing that cannot be
kept (a reference table referencing a distributed one, a foreign key across groups, a SET NULL action on the
distribution column...), as a ``Degradation``. ``check`` states Citus's documented restrictions as static
checks on a schema and a plan; ``skew`` simulates rows per shard for the chosen column and the runners-up.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field

from schemawright.dialects.base import Degradation
from schemawright.model.names import quote_ident as q
from schemawright.model.names import quote_literal
from schemawright.model.schema import FkAction, Schema, Table
from schemawright.model.types import Kind

REFERENCE_KINDS = ("lookup", "reference")
REFERENCE_MAX_ROWS = 10_000  # a small table joined with distributed ones is cheaper copied to every node
SHARD_COUNT = 32  # citus.shard_count's default
NOT_HASHABLE = (Kind.JSON, Kind.XML, Kind.OTHER)  # no default hash operator class (json, xml, geometric...)


@dataclass
class Decision:
    table: str
    method: str  # distributed | reference | local
    column: str | None = None
    colocate_with: str | None = None  # the group's first table (None: the group itself or not distributed)
    why: str = ""
    candidates: list[tuple[str, str]] = field(default_factory=list)  # (column, why) the runners-up


def _rows(schema: Schema, t: Table) -> int:
    if t.estimated_rows:
        return t.estimated_rows
    default = schema.facts.scale.default_rows if schema.facts.scale else 1_000_000
    return default // 100 if t.kind in REFERENCE_KINDS else default


def _single_pk(t: Table) -> str | None:
    return t.primary_key.columns[0] if t.primary_key and len(t.primary_key.columns) == 1 else None


def _required_refs(t: Table, ref: str) -> list[str]:
    return [fk.columns[0] for fk in t.foreign_keys if fk.ref_table == ref and len(fk.columns) == 1
            and t.column(fk.columns[0]) is not None and not t.column(fk.columns[0]).nullable]


def _runners_up(t: Table, chosen: str | None) -> list[tuple[str, str]]:
    out = []
    for fk in t.foreign_keys:
        c = fk.columns[0]
        if len(fk.columns) == 1 and c != chosen and fk.ref_table != t.name and not t.column(c).nullable:
            out.append((c, f"required reference to {fk.ref_table}"))
    pk = _single_pk(t)
    if pk and pk != chosen:
        out.append((pk, "its own primary key (even spread, no colocated joins)"))
    return out


def carried_key(schema: Schema, t: Table, root: Table, seen: frozenset = frozenset()) -> str | None:
    """The column of ``t`` that always holds its ``root`` row's key: the key itself, a required single-column
    reference to ``root``, or a column of a required (composite) reference whose parent carries the key in
    the referenced columns (rooms (id, hotel_id) referenced by reservations (room_id, hotel_id))."""
    if t is root:
        return _single_pk(root)
    for fk in t.foreign_keys:
        if fk.ref_table == t.name or fk.ref_table in seen:
            continue
        if any(t.column(c) is None or t.column(c).nullable for c in fk.columns):
            continue
        parent = schema.table(fk.ref_table)
        if parent is None:
            continue
        pc = carried_key(schema, parent, root, seen | {t.name})
        if pc is not None and pc in fk.ref_columns:
            return fk.columns[fk.ref_columns.index(pc)]
    return None


TENANT_NAMES = re.compile(r"(^|_)(tenant|organization|organisation|org|account|workspace|company|customer)s?$")
SAAS_TYPES = ("saas", "multi_tenant", "multitenant", "b2b")


def _reach(schema: Schema, root: Table) -> list[Table]:
    """The tables whose required single-column references lead to ``root`` (directly or through others)."""
    found: dict[str, Table] = {}
    frontier = [root.name]
    while frontier:
        name = frontier.pop()
        for t in schema.tables:
            if t.name in found or t is root or t.kind in REFERENCE_KINDS:
                continue
            if _required_refs(t, name):
                found[t.name] = t
                frontier.append(t.name)
    return list(found.values())


def tenant_root(schema: Schema) -> Table | None:
    """For a SaaS project without declared tenant isolation: the customer table a DBA shards a multi-tenant
    database by (Citus's multi-tenant model: the tenant id in every table), i.e. the table named like an
    account, organization, workspace, company, customer or tenant that the most rows reach through chains of
    required references. None when no such table is reached by two tables or more."""
    if (schema.facts.tenancy or {}).get("root") or (schema.facts.project.type or "").lower() not in SAAS_TYPES:
        return None
    best, score = None, (0, 0)
    for r in schema.tables:
        if r.kind in REFERENCE_KINDS or _single_pk(r) is None or not TENANT_NAMES.search(r.name):
            continue
        reach = _reach(schema, r)
        if len(reach) >= 2 and (sum(_rows(schema, t) for t in reach), len(reach)) > score:
            best, score = r, (sum(_rows(schema, t) for t in reach), len(reach))
    return best


def owner_root(schema: Schema) -> tuple[Table | None, str]:
    """The table to colocate around, and why."""
    tenancy = schema.facts.tenancy or {}
    if tenancy.get("root") and schema.table(tenancy["root"]) is not None and len(tenancy.get("root_key") or ()) == 1:
        return schema.table(tenancy["root"]), "the tenants' table (the design's tenant isolation)"
    root = tenant_root(schema)
    if root is not None and all(carried_key(schema, t, root) for t in _reach(schema, root)):
        return root, ("the tenant (a SaaS's customer table, which every table below it carries the key of): "
                      "each customer's rows on one shard, as Citus's multi-tenant model shards")
    best, score, count = None, 0, 0
    for r in schema.tables:
        if r.kind in REFERENCE_KINDS or _single_pk(r) is None:
            continue
        carriers = [t for t in schema.tables if t is not r and carried_key(schema, t, r)]
        total = sum(_rows(schema, t) for t in carriers)
        if (total, len(carriers)) > (score, count):
            best, score, count = r, total, len(carriers)
    if best is None:
        return None, "no table is referenced by a required single-column key"
    return best, (f"the owner entity: {count} table(s) ({score:,} rows estimated) always carry its key, so they "
                  "colocate with it")


def distribution_plan(schema: Schema) -> list[Decision]:
    root, root_why = owner_root(schema)
    tenancy = schema.facts.tenancy or {}
    scoped: dict[str, str] = dict(tenancy.get("tables") or {}) if root is not None and tenancy.get("root") == root.name else {}
    out: dict[str, Decision] = {}
    if root is not None:
        key = _single_pk(root) or (tenancy.get("root_key") or [None])[0]
        owners = _rows(schema, root)
        if owners < SHARD_COUNT * 4:  # cardinality: too few owners cannot fill the shards evenly
            root_why += (f"; only ~{owners:,} {root.name} expected: with {SHARD_COUNT} shards the spread is uneven "
                         "(fewer shards, or tenant isolation of the largest owners, may be needed)")
        out[root.name] = Decision(root.name, "distributed", key, None, root_why, _runners_up(root, key))
        for t in schema.tables:
            if t is root:
                continue
            col = scoped.get(t.name)
            if col is None and not scoped:
                col = carried_key(schema, t, root)
            if col is not None and t.kind not in REFERENCE_KINDS:
                why = (f"tenant-scoped by {col}" if scoped else f"always carries {root.name}'s key in {col}") + \
                      f": colocated with {root.name}, joins on {col} stay on one shard"
                out[t.name] = Decision(t.name, "distributed", col, root.name, why, _runners_up(t, col))
    distributed = {n for n, d in out.items() if d.method == "distributed"}
    tenant_model = root is not None and not scoped and root is tenant_root(schema)
    for t in schema.tables:
        if t.name in out:
            continue
        referenced = any(fk.ref_table == t.name for o in schema.tables if o.name in distributed for fk in o.foreign_keys)
        if tenant_model and referenced and _rows(schema, t) <= _rows(schema, root) and t.name not in out:
            out[t.name] = Decision(t.name, "reference", None, None,
                                   f"shared by every tenant (not below {root.name}) and referenced by the tenants' "
                                   f"tables, and no larger than {root.name} (~{_rows(schema, t):,} rows estimated): "
                                   "copied to every node, as Citus's multi-tenant model keeps shared tables, so joins "
                                   "and foreign keys to it stay local")
        elif t.kind in REFERENCE_KINDS or (_rows(schema, t) <= REFERENCE_MAX_ROWS and referenced):
            out[t.name] = Decision(t.name, "reference", None, None,
                                   f"a small shared {'lookup' if t.kind in REFERENCE_KINDS else 'table'} "
                                   f"(~{_rows(schema, t):,} rows): copied to every node, joins with any shard are local")
        elif _single_pk(t):
            pk = _single_pk(t)
            hint = ""
            if root is not None and any(by_ref in distributed for by_ref in (fk.ref_table for fk in t.foreign_keys)):
                hint = (f"; adding {root.name}'s key ({_single_pk(root)}) to it, filled from its parent, would "
                        "colocate it (not done: a new column is a design change)")
            out[t.name] = Decision(t.name, "distributed", pk, "none",
                                   f"large (~{_rows(schema, t):,} rows) and does not carry "
                                   f"{root.name if root else 'an owner table'}'s key: distributed on its own key; "
                                   f"its joins to other distributed tables cross shards{hint}", _runners_up(t, pk))
        elif _rows(schema, t) <= REFERENCE_MAX_ROWS:
            out[t.name] = Decision(t.name, "reference", None, None, f"small (~{_rows(schema, t):,} rows)")
        else:
            out[t.name] = Decision(t.name, "local", None, None, "no single-column key to distribute on and too "
                                   "large to copy to every node: left on the coordinator")
    return [out[t.name] for t in schema.tables]


def check(schema: Schema, plan: list[Decision]) -> list[Degradation]:
    """Citus's documented restrictions as static checks: what this schema would be refused (or would do
    differently) when distributed as ``plan`` says."""
    by = {d.table: d for d in plan}
    out: list[Degradation] = []
    for t in schema.tables:
        d = by.get(t.name)
        if d is None or d.method == "local":
            continue
        if d.method == "distributed":
            col = t.column(d.column) if d.column else None
            if col is None:
                out.append(Degradation("distribution", t.name, f"distribution column {d.column} does not exist"))
                continue
            if col.nullable:
                out.append(Degradation("distribution", f"{t.name}.{col.name}", "Citus refuses an INSERT with NULL "
                                       "in the distribution column: it must be NOT NULL"))
            if col.type.kind in NOT_HASHABLE or col.type.array_dims:
                out.append(Degradation("distribution", f"{t.name}.{col.name}", f"type {col.type.kind} has no "
                                       "default hash operator class, so it cannot be a hash distribution column"))
            keys = ([("primary key", t.primary_key.name, t.primary_key.columns)] if t.primary_key else []) + \
                   [("unique constraint", u.name, u.columns) for u in t.uniques] + \
                   [("unique index", i.name, tuple(e.column for e in i.elements)) for i in t.indexes if i.unique]
            for what, name, cols in keys:
                if d.column not in cols:
                    out.append(Degradation("key", name, f"a {what} of a distributed table must include the "
                                           f"distribution column {d.column} (Citus checks uniqueness per shard)"))
            for x in t.exclusions:
                if not any(e.column == d.column and e.operator == "=" for e in x.elements):
                    out.append(Degradation("exclusion", x.name, "an exclusion constraint of a distributed table must "
                                           f"compare the distribution column {d.column} with ="))
            for fk in t.foreign_keys:
                rd = by.get(fk.ref_table)
                if rd is None or rd.method == "reference":
                    continue
                if rd.method == "local":
                    out.append(Degradation("foreign_key", fk.name, f"references {fk.ref_table}, a local table: "
                                           "a distributed table can reference distributed or reference tables only"))
                    continue
                same_group = (rd.table == d.colocate_with or rd.colocate_with == d.colocate_with
                              or d.table == rd.colocate_with) and d.colocate_with not in (None, "none") or \
                             (rd.table == d.table)
                pairs = dict(zip(fk.columns, fk.ref_columns))
                if not same_group or pairs.get(d.column) != rd.column:
                    out.append(Degradation("foreign_key", fk.name, f"a foreign key between distributed tables must "
                                           f"join the distribution columns ({t.name}.{d.column} = "
                                           f"{fk.ref_table}.{rd.column}) of colocated tables"))
                elif fk.on_delete in (FkAction.SET_NULL, FkAction.SET_DEFAULT) or \
                        fk.on_update in (FkAction.SET_NULL, FkAction.SET_DEFAULT, FkAction.CASCADE):
                    out.append(Degradation("foreign_key", fk.name, "Citus does not support SET NULL / SET DEFAULT "
                                           "(or ON UPDATE CASCADE) on a foreign key that includes the distribution column"))
            if t.triggers:
                out.append(Degradation("trigger", t.name, "triggers on a distributed table run on the shards and need "
                                       "citus.enable_unsafe_triggers (Citus 11+); they must touch only the same shard",
                                       "kept; review each"))
        else:  # reference
            for fk in t.foreign_keys:
                rd = by.get(fk.ref_table)
                if rd is not None and rd.method == "distributed":
                    out.append(Degradation("foreign_key", fk.name, "a reference table cannot reference a distributed "
                                           f"table ({fk.ref_table})"))
    return out


def distribute_sql(schema: Schema, plan: list[Decision]) -> str:
    """The Citus calls, in an order where referenced tables come first (reference tables, then each group's
    first table, then the rest of the group)."""
    tables = {t.name: t for t in schema.tables}
    lines = ["-- Run on the Citus coordinator after the migrations (psql -f citus/distribute.sql).",
             "-- docs/sharding.md explains each choice.", "CREATE EXTENSION IF NOT EXISTS citus;", ""]
    name = lambda d: quote_literal(f"{q(tables[d.table].schema)}.{q(d.table)}")  # noqa: E731
    for d in plan:
        if d.method == "reference":
            lines.append(f"SELECT create_reference_table({name(d)});")
    for d in sorted((d for d in plan if d.method == "distributed"), key=lambda d: d.colocate_with not in (None, "none")):
        colocate = "'none'" if d.colocate_with == "none" else (
            name(next(x for x in plan if x.table == d.colocate_with)) if d.colocate_with else "'default'")
        lines.append(f"SELECT create_distributed_table({name(d)}, {quote_literal(d.column)}, colocate_with => {colocate});")
    for d in plan:
        if d.method == "local":
            lines.append(f"-- {d.table}: left local on the coordinator ({d.why})")
    return "\n".join(lines) + "\n"


def _shard(value: object) -> int:
    """A stand-in for Citus's hash placement: a stable hash of the value into SHARD_COUNT equal ranges."""
    h = int.from_bytes(hashlib.blake2b(repr(value).encode(), digest_size=4).digest(), "big")
    return h * SHARD_COUNT >> 32


def skew(schema: Schema, plan: list[Decision], *, seed: int = 42, sample: int = 50_000) -> dict[str, list[dict]]:
    """Rows per shard, simulated, for each distributed table's chosen column and runners-up: values of a
    reference drawn from the referenced table's rows with a Zipf-like skew (a few owners hold many rows, as in
    the seed plan's parent/child spread), the table's own key one row per value. Returns per table a list of
    {column, chosen, values, max_over_mean, empty_shards}."""
    out: dict[str, list[dict]] = {}
    tables = {t.name: t for t in schema.tables}
    for d in plan:
        if d.method != "distributed":
            continue
        t = tables[d.table]
        rows = min(_rows(schema, t), sample)
        results = []
        for col, chosen in [(d.column, True), *((c, False) for c, _ in d.candidates)]:
            rng = random.Random(f"{seed}:{t.name}:{col}")
            fk = next((fk for fk in t.foreign_keys if fk.columns == (col,)), None)
            if fk is not None and fk.ref_table != t.name and fk.ref_table in tables and col != _single_pk(t):
                distinct = max(1, min(_rows(schema, tables[fk.ref_table]), rows))
                weights = [1 / (k + 1) ** 0.8 for k in range(distinct)]
                values = rng.choices(range(distinct), weights=weights, k=rows)
            else:
                distinct, values = rows, range(rows)
            counts = [0] * SHARD_COUNT
            for v in values:
                counts[_shard((col, v))] += 1
            mean = rows / SHARD_COUNT
            results.append({"column": col, "chosen": chosen, "values": distinct,
                            "max_over_mean": round(max(counts) / mean, 2) if mean else 0.0,
                            "empty_shards": sum(1 for c in counts if c == 0)})
        out[t.name] = results
    return out


# The 32-bit hash function of each type's default hash operator class: the one Citus places rows with.
HASH_FUNCTIONS = {Kind.BIGINT: "hashint8", Kind.INTEGER: "hashint4", Kind.SMALLINT: "hashint2", Kind.UUID: "uuid_hash",
                  Kind.TEXT: "hashtext", Kind.VARCHAR: "hashtext", Kind.CHAR: "hashbpchar", Kind.NUMERIC: "hash_numeric",
                  Kind.DATE: "hashint4", Kind.TIMESTAMP: "timestamp_hash", Kind.TIMESTAMPTZ: "timestamp_hash"}


def shard_skew_sql(schema: Schema, plan: list[Decision], shard_count: int = SHARD_COUNT) -> str:
    """One query, runnable on the plain PostgreSQL database before it moves to Citus: rows per shard for each
    distributed table's chosen column and runners-up, placed as Citus places them (the type's hash into
    ``shard_count`` equal ranges of the 32-bit hash space). Columns: table_name, column_name, chosen, rows,
    shards_used, max_over_mean."""
    tables = {t.name: t for t in schema.tables}
    parts = []
    for d in plan:
        if d.method != "distributed":
            continue
        t = tables[d.table]
        for col, chosen in [(d.column, True), *((c, False) for c, _ in d.candidates)]:
            c = t.column(col)
            if c is None:
                continue
            fn = HASH_FUNCTIONS.get(c.type.kind)
            value = f"{fn}({q(col)})" if fn else f"hashtext({q(col)}::text)"
            parts.append(
                f"SELECT {quote_literal(t.name)} AS table_name, {quote_literal(col)} AS column_name, "
                f"{'true' if chosen else 'false'} AS chosen, coalesce(sum(n), 0) AS rows, count(*) AS shards_used, "
                f"round(coalesce(max(n) / nullif(sum(n) / {shard_count}.0, 0), 0), 2) AS max_over_mean\n"
                f"FROM (SELECT floor(({value}::bigint + 2147483648) * {shard_count} / 4294967296.0) AS shard, count(*) AS n\n"
                f"      FROM {q(t.schema)}.{q(t.name)} WHERE {q(col)} IS NOT NULL GROUP BY 1) AS per_shard")
    head = (f"-- Rows per shard ({shard_count} shards) for each distributed table's chosen column and the runners-up, "
            "placed with\n-- the type's hash function as Citus places them. Run on the PostgreSQL database "
            "(with its real data)\n-- before distributing it: max_over_mean near 1 is an even spread.\n")
    return head + ("\nUNION ALL\n".join(parts) + "\nORDER BY 1, 3 DESC, 2;\n" if parts else "SELECT 1 WHERE false;\n")

