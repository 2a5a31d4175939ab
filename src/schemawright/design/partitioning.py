"""Partitioning of large tables, and the performance facts later stages (seed, bench) read.

A large event-like table (transactional, time series, log, analytics) with a required timestamp is
range-partitioned by month on it; one without a timestamp but with a tenant column is hash-
partitioned by tenant. Keys of a partitioned table must include the partition key, so the primary
key and unique constraints get it appended (uniqueness then holds per month / per tenant, which
each inference states). A table that other tables reference is left whole: a foreign key to a
partitioned table would need its whole key, partition column included, in every child.
"""

from __future__ import annotations

import re

from schemawright.design.context import DesignContext
from schemawright.dialects.partitions import HASH_PARTITIONS, PARTITION_FUNCTION
from schemawright.model import names
from schemawright.model.schema import Function, Partitioning, Source, Table, convention, inferred
from schemawright.model.types import Kind

RANGE_MIN_ROWS = 10_000_000  # seed 003: "range for large tables"
EVENT_MIN_ROWS = 1_000_000  # time series and logs grow without bound: partition them earlier
EVENT_KINDS = frozenset({"transactional", "time_series", "log", "analytics"})
TENANT_COLUMNS = ("tenant_id", "organization_id", "account_id", "workspace_id")

FUNCTION_BODY = """
DECLARE
    v_month date := date_trunc('month', p_from)::date;
    v_schema text;
    v_table text;
    v_name text;
    v_created integer := 0;
    v_grantee text;
BEGIN
    SELECT n.nspname, c.relname INTO v_schema, v_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = p_table;
    WHILE v_month < p_to LOOP
        v_name := left(v_table, 55) || '_p' || to_char(v_month, 'YYYYMM');
        IF to_regclass(format('%I.%I', v_schema, v_name)) IS NULL THEN
            BEGIN
                EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)',
                               v_schema, v_name, v_schema, v_table, v_month, (v_month + interval '1 month')::date);
                -- rows are read and written through the parent (its grants and row-level security): the
                -- grants default privileges gave the new partition would let a role skip both
                FOR v_grantee IN SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                                      ELSE quote_ident(pg_get_userbyid(a.grantee)) END
                                 FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
                                 WHERE c.oid = format('%I.%I', v_schema, v_name)::regclass AND a.grantee <> c.relowner
                LOOP
                    EXECUTE format('REVOKE ALL ON %I.%I FROM %s', v_schema, v_name, v_grantee);
                END LOOP;
                v_created := v_created + 1;
            EXCEPTION WHEN invalid_object_definition OR check_violation THEN
                NULL;  -- another partition covers (part of) this month, or the default one holds its rows
            END;
        END IF;
        v_month := (v_month + interval '1 month')::date;
    END LOOP;
    RETURN v_created;
END;
"""


def apply(ctx: DesignContext) -> None:
    if not ctx.enabled("partitioning", "partitioning of large event tables"):
        return
    referenced = {fk.ref_table for t in ctx.schema.tables for fk in t.foreign_keys if fk.ref_table != t.name}
    for table in ctx.schema.tables:
        rows = table.estimated_rows or 0
        if table.partitioning is not None or table.kind not in EVENT_KINDS:
            continue
        threshold = RANGE_MIN_ROWS if table.kind == "transactional" else EVENT_MIN_ROWS
        if rows < threshold:
            continue
        if table.name in referenced:
            ctx.infer("partition.skipped", table.name, "not partitioned",
                      f"{rows:,} estimated rows, but other tables reference it: a foreign key to a partitioned "
                      "table needs the partition key in every child; archive old rows instead")
            continue
        if table.exclusions:
            ctx.infer("partition.skipped", table.name, "not partitioned",
                      f"{rows:,} estimated rows, but the exclusion constraint(s) "
                      f"{', '.join(x.name for x in table.exclusions)} hold only within one partition (PostgreSQL "
                      "refuses them on a partitioned table); kept whole, archive old rows instead")
            continue
        time_col = _time_column(ctx, table)
        tenant = next((c for c in TENANT_COLUMNS if table.has_column(c) and not table.column(c).nullable), None)
        key = time_col or tenant
        required = [u for u in table.uniques if u.origin.source == Source.INPUT and key not in u.columns] + [
            ix for ix in table.indexes if ix.unique and ix.origin.source == Source.INPUT and key not in ix.columns]
        if key and required:
            ctx.infer("partition.skipped", table.name, "not partitioned",
                      f"{rows:,} estimated rows, but partitioning on {key} would weaken the required uniqueness "
                      f"{', '.join(r.name for r in required)} (PostgreSQL only enforces uniqueness per partition "
                      "key); kept whole, archive old rows instead")
            continue
        if time_col:
            _require_key(ctx, table, time_col)
            _partition(ctx, table, "range", time_col,
                       f"{rows:,} estimated rows of a {table.kind} table: monthly range partitions on {time_col} "
                       "keep indexes small, let queries on recent rows touch one partition, and make dropping "
                       "old months instant (DROP/DETACH PARTITION instead of DELETE)")
            _ensure_function(ctx)
        elif tenant:
            _partition(ctx, table, "hash", tenant,
                       f"{rows:,} estimated rows and no required timestamp: {HASH_PARTITIONS} hash partitions on "
                       f"{tenant} keep each tenant's rows together and each partition's indexes small")


BUSINESS_TIME = ("occurred_at", "recorded_at", "event_time", "timestamp", "happened_at", "logged_at",
                 "measured_at", "observed_at", "posted_at", "posting_date", "transaction_date")
_NOT_EVENT_TIME = re.compile(r"(?:^|_)(?:created|updated|deleted|expires?|due|until|ends?|scheduled|valid|"
                             r"cancelled|canceled|closed|released|returned)(?:_|$)")
TEMPORAL = (Kind.TIMESTAMPTZ, Kind.TIMESTAMP, Kind.DATE)


def _time_column(ctx: DesignContext, table: Table) -> str | None:
    """The business time of the rows (when the event happened), not the audit column created_at: a
    well-known event-time name, else the first time column of the input's attributes that reads as
    the moment of the event. Nothing is changed here: the table may still be left whole."""
    explicit_null = {a.name for e in ctx.spec.data_model.entities for a in e.attributes if a.nullable}
    candidates = [c for c in table.columns if c.type.kind in TEMPORAL and not c.type.array_dims
                  and c.origin.path is not None and c.name not in explicit_null and c.generated is None]
    chosen = next((c for name in BUSINESS_TIME for c in candidates if c.name == name), None) or next(
        (c for c in candidates if re.search(r"_(?:at|date|on)$", c.name) and not _NOT_EVENT_TIME.search(c.name)),
        None)
    if chosen is not None:
        return chosen.name  # made NOT NULL only if the table is partitioned on it (_require_key)
    col = table.column("created_at")
    if col is not None and not col.nullable and col.type.kind in TEMPORAL:
        return "created_at"
    return None


def _require_key(ctx: DesignContext, table: Table, name: str) -> None:
    """The range partition key of a table that is partitioned on it is NOT NULL (a row without the time
    it belongs to has no partition); a table left whole keeps the input's nullability (a pending payment
    has no paid_at yet)."""
    column = table.column(name)
    if column is not None and column.nullable:
        column.nullable = False
        ctx.infer("partition.key", f"{table.name}.{name}", "NOT NULL",
                  "the partition key: every row needs the time it belongs to")


def _partition(ctx: DesignContext, table: Table, strategy: str, column: str, why: str) -> None:
    table.partitioning = Partitioning(strategy=strategy, columns=(column,),
                                      origin=inferred(f"partition.{strategy}", why))
    ctx.infer(f"partition.{strategy}", table.name, f"PARTITION BY {strategy.upper()} ({column})", why)
    if table.primary_key and column not in table.primary_key.columns:
        table.primary_key.columns = (*table.primary_key.columns, column)
        table.primary_key.name = names.pk_name(table.name, table.primary_key.columns)
        ctx.infer("partition.key", f"{table.name}.{table.primary_key.name}",
                  f"primary key ({', '.join(table.primary_key.columns)})",
                  "PostgreSQL requires every key of a partitioned table to include the partition key; the "
                  f"generated id stays unique in practice (gen_random_uuid), the constraint checks it per {column}")
    for u in table.uniques:
        if column not in u.columns:
            u.columns = (*u.columns, column)
            u.name = names.uq_name(table.name, u.columns)
            ctx.infer("partition.key", f"{table.name}.{u.name}", f"unique ({', '.join(u.columns)})",
                      f"unique constraints of a partitioned table must include {column}: uniqueness now holds "
                      f"per {column} value")
    for ix in table.indexes:
        if ix.unique and column not in ix.columns:
            ix.unique = False
            ctx.infer("partition.key", f"{table.name}.{ix.name}", "not unique",
                      f"a unique index of a partitioned table must include {column}")


def _ensure_function(ctx: DesignContext) -> None:
    if ctx.schema.function(PARTITION_FUNCTION) is not None:
        return
    ctx.schema.functions.append(Function(
        name=PARTITION_FUNCTION, returns="integer", language="plpgsql", arguments="p_table regclass, p_from date, p_to date",
        body=FUNCTION_BODY, volatility="VOLATILE",
        comment="Creates the monthly partitions of p_table from p_from to p_to (idempotent); schedule it monthly, "
                "e.g. SELECT fn_create_monthly_partitions('orders', CURRENT_DATE, CURRENT_DATE + 93)",
        origin=convention("partition.maintenance", "future partitions are created ahead of the data")))
