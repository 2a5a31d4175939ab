"""design --dialect citus (dialects/citus.py, render/sharding.py).

No Citus runs here. What is proven: (1) the static checks flag each of Citus's documented restrictions on
hand-built schemas, and pass a schema that respects them; (2) designs distributed for Citus are applied to a
real PostgreSQL and the catalog (pg_constraint / pg_index, the oracle) shows every primary key, unique
constraint and unique index of a distributed table holding its distribution column, every foreign key between
distributed tables joining the distribution columns of colocated tables, and no reference table referencing a
distributed one; whatever the rewrite could not keep is named in docs/sharding.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from schemawright import api
from schemawright.db.scratch import scratch_database
from schemawright.dialects.distribution import Decision, check, distribution_plan, skew
from schemawright.model.schema import (Column, ExclusionConstraint, ExclusionElement, FkAction, ForeignKey,
                                       PrimaryKey, Schema, Table, UniqueConstraint)
from schemawright.model.types import DataType, Kind

INPUTS = Path(__file__).parent / "inputs"
CASES = ["hotel_booking.yaml", "saas_billing.yaml", "delivery_marketplace.json", "crm.yaml", "social_network.yaml"]

BIG, JSON = DataType(Kind.BIGINT), DataType(Kind.JSON)  # json: no hash opclass (jsonb has one)


def _col(name, t=BIG, nullable=False):
    return Column(name=name, type=t, nullable=nullable)


def _schema() -> Schema:
    tenants = Table(name="tenants", columns=[_col("id")], primary_key=PrimaryKey(name="pk_tenants", columns=("id",)))
    orders = Table(name="orders", columns=[_col("id"), _col("tenant_id"), _col("number")],
                   primary_key=PrimaryKey(name="pk_orders", columns=("tenant_id", "id")),
                   uniques=[UniqueConstraint(name="uq_orders_number", columns=("tenant_id", "number"))],
                   foreign_keys=[ForeignKey(name="fk_orders_tenant", columns=("tenant_id",), ref_table="tenants",
                                            ref_columns=("id",))])
    lines = Table(name="lines", columns=[_col("id"), _col("tenant_id"), _col("order_id"), _col("country")],
                  primary_key=PrimaryKey(name="pk_lines", columns=("tenant_id", "id")),
                  foreign_keys=[ForeignKey(name="fk_lines_order", columns=("tenant_id", "order_id"), ref_table="orders",
                                           ref_columns=("tenant_id", "id")),
                                ForeignKey(name="fk_lines_country", columns=("country",), ref_table="countries",
                                           ref_columns=("id",))])
    countries = Table(name="countries", kind="lookup", columns=[_col("id")],
                      primary_key=PrimaryKey(name="pk_countries", columns=("id",)))
    return Schema(tables=[tenants, orders, lines, countries])


def _plan() -> list[Decision]:
    return [Decision("tenants", "distributed", "id"), Decision("orders", "distributed", "tenant_id", "tenants"),
            Decision("lines", "distributed", "tenant_id", "tenants"), Decision("countries", "reference")]


def _kinds(findings) -> set[tuple[str, str]]:
    return {(f.kind, f.name) for f in findings}


def test_a_schema_that_respects_citus_restrictions_passes():
    assert check(_schema(), _plan()) == []


def test_primary_key_and_unique_without_the_distribution_column():
    s = _schema()
    orders = s.table("orders")
    orders.primary_key.columns = ("id",)
    orders.uniques[0].columns = ("number",)
    assert {("key", "pk_orders"), ("key", "uq_orders_number")} <= _kinds(check(s, _plan()))


def test_nullable_or_unhashable_distribution_column():
    s = _schema()
    s.table("orders").column("tenant_id").nullable = True
    s.table("lines").column("tenant_id").type = JSON
    found = _kinds(check(s, _plan()))
    assert ("distribution", "orders.tenant_id") in found and ("distribution", "lines.tenant_id") in found


def test_foreign_key_between_distributed_tables_must_join_distribution_columns_of_colocated_tables():
    s = _schema()
    fk = s.table("lines").foreign_keys[0]
    fk.columns, fk.ref_columns = ("order_id",), ("id",)
    assert ("foreign_key", "fk_lines_order") in _kinds(check(s, _plan()))
    plan = _plan()
    plan[2] = Decision("lines", "distributed", "tenant_id", "none")  # not colocated
    assert ("foreign_key", "fk_lines_order") in _kinds(check(_schema(), plan))


def test_set_null_on_the_distribution_column_and_reference_to_distributed():
    s = _schema()
    s.table("lines").foreign_keys[0].on_delete = FkAction.SET_NULL
    s.table("countries").columns.append(_col("tenant_id"))
    s.table("countries").foreign_keys.append(ForeignKey(name="fk_countries_tenant", columns=("tenant_id",),
                                                        ref_table="tenants", ref_columns=("id",)))
    found = _kinds(check(s, _plan()))
    assert ("foreign_key", "fk_lines_order") in found and ("foreign_key", "fk_countries_tenant") in found


def test_exclusion_constraint_needs_the_distribution_column_with_equality():
    s = _schema()
    s.table("orders").exclusions.append(ExclusionConstraint(name="ex_orders", elements=(
        ExclusionElement(operator="=", column="number"),)))
    assert ("exclusion", "ex_orders") in _kinds(check(s, _plan()))
    s.table("orders").exclusions[0].elements += (ExclusionElement(operator="=", column="tenant_id"),)
    assert ("exclusion", "ex_orders") not in _kinds(check(s, _plan()))


def test_plan_colocates_around_the_owner_and_keeps_lookups_as_reference_tables():
    plan = {d.table: d for d in distribution_plan(_schema())}
    assert plan["tenants"].method == "distributed" and plan["tenants"].column == "id"
    assert (plan["orders"].column, plan["orders"].colocate_with) == ("tenant_id", "tenants")
    assert (plan["lines"].column, plan["lines"].colocate_with) == ("tenant_id", "tenants")
    assert plan["countries"].method == "reference"


def test_skew_simulation_reports_the_chosen_column_and_runners_up():
    s = _schema()
    plan = distribution_plan(s)
    sim = skew(s, plan, sample=20_000)
    lines = sim["lines"]
    assert lines[0]["chosen"] and lines[0]["column"] == "tenant_id"
    assert {r["column"] for r in lines[1:]} >= {"order_id"} or len(lines) >= 1
    own = [r for t in sim.values() for r in t if r["column"] == "id"]
    assert own and all(r["max_over_mean"] < 1.2 for r in own)  # one row per value spreads evenly


def _distributed(sql: str) -> dict[str, str]:
    return dict(re.findall(r"create_distributed_table\('public\.(\w+)', '(\w+)'", sql))


def _reference(sql: str) -> set[str]:
    return set(re.findall(r"create_reference_table\('public\.(\w+)'\)", sql))


@pytest.mark.parametrize("name", CASES)
def test_distributed_design_on_postgresql_catalog(name, pg15_dsn, tmp_path):
    out = tmp_path / "design"
    result = api.design_project(INPUTS / name, out, dialect="citus")
    assert result.dialect == "citus"
    sql = (out / "citus" / "distribute.sql").read_text()
    dist, ref = _distributed(sql), _reference(sql)
    assert dist, "no table distributed"
    doc = (out / "docs" / "sharding.md").read_text()
    for table in [*dist, *ref]:
        assert f"| {table} |" in doc
    with scratch_database(pg15_dsn, prefix="sw_citus") as dsn:
        api.apply_migrations(out / "migrations", dsn)
        with psycopg.connect(dsn) as conn:
            rows = conn.execute("""
                SELECT c.conrelid::regclass::text, c.contype, c.conname,
                       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a
                             ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o)::text[],
                       c.confrelid::regclass::text,
                       ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a
                             ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o)::text[]
                FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
                WHERE c.contype IN ('p', 'u', 'f') AND r.relnamespace = 'public'::regnamespace
                  AND NOT r.relispartition""").fetchall()
            indexes = conn.execute("""
                SELECT i.indrelid::regclass::text, x.relname,
                       ARRAY(SELECT a.attname FROM unnest(i.indkey) k JOIN pg_attribute a
                             ON a.attrelid = i.indrelid AND a.attnum = k)::text[]
                FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid
                WHERE i.indisunique AND r.relnamespace = 'public'::regnamespace AND NOT r.relispartition""").fetchall()
    colocated = {t: m.group(1) for t in dist if (m := re.search(
        rf"create_distributed_table\('public\.{t}', '\w+', colocate_with => '(?:public\.)?(\w+)'\)", sql))}
    group = {t: (t if colocated.get(t) == "default" else colocated.get(t)) for t in dist}
    problems = []
    for table, kind, cname, cols, ref_table, ref_cols in rows:
        table, ref_table = table.split(".")[-1].strip('"'), (ref_table or "").split(".")[-1].strip('"')
        if table in dist and kind in "pu" and dist[table] not in cols:
            problems.append(f"{cname}: {cols} lacks {dist[table]}")
        if kind == "f" and table in dist and ref_table in dist:
            pairs = dict(zip(cols, ref_cols))
            if group[table] == "none" or group[table] != group[ref_table] or pairs.get(dist[table]) != dist[ref_table]:
                problems.append(f"{cname}: {table}{cols} -> {ref_table}{ref_cols} not on colocated distribution columns")
        if kind == "f" and table in ref and ref_table in dist:
            problems.append(f"{cname}: reference table {table} references distributed {ref_table}")
    for table, iname, cols in indexes:
        table = table.split(".")[-1].strip('"')
        if table in dist and dist[table] not in cols and "0" not in cols:
            problems.append(f"unique index {iname}: {cols} lacks {dist[table]}")
    assert problems == []


@pytest.mark.parametrize("name", ["hotel_booking.yaml", "saas_billing.yaml", "social_network.yaml"])
def test_distributed_design_verifies_on_postgresql(name, pg15_dsn, tmp_path):
    """verify (migrations forward/back/forward, catalog vs the adapted model, every constraint attacked,
    the security probes) passes on the Citus design applied to plain PostgreSQL."""
    out = tmp_path / "design"
    api.design_project(INPUTS / name, out, dialect="citus")
    report = api.verify_project(out, dsn=pg15_dsn)
    assert report.passed, [(s.name, s.detail) for s in report.steps if not s.ok]


def test_shard_skew_sql_on_seeded_data(pg15_dsn, tmp_path):
    """citus/shard_skew.sql runs on the seeded PostgreSQL design: a row per distributed table and candidate,
    every row of the table placed in exactly one shard, and a table's own key (one row per value) spread
    evenly by PostgreSQL's hash functions (the oracle: Citus places rows with the same functions)."""
    out = tmp_path / "design"
    api.design_project(INPUTS / "hotel_booking.yaml", out, dialect="citus")
    sql = (out / "citus" / "shard_skew.sql").read_text()
    dist = _distributed((out / "citus" / "distribute.sql").read_text())
    with scratch_database(pg15_dsn, prefix="sw_citus_skew") as dsn:
        api.seed(out, dsn, scale=0.01)
        with psycopg.connect(dsn) as conn:
            rows = conn.execute(sql).fetchall()
            counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in dist}
    chosen = {(t, c) for t, c, is_chosen, *_ in rows if is_chosen}
    assert chosen == set(dist.items())
    for table, column, is_chosen, n, shards, ratio in rows:
        if is_chosen:
            assert n == counts[table], f"{table}.{column}: {n} rows placed, {counts[table]} in the table"
        if column == "id" and n >= 3200:
            assert float(ratio) < 1.5 and shards == 32, f"{table}.id: {ratio} max/mean over {shards} shards"


def test_few_owners_are_reported_as_uneven():
    s = _schema()
    s.table("tenants").estimated_rows = 20
    plan = {d.table: d for d in distribution_plan(s)}
    assert "uneven" in plan["tenants"].why
    s.table("tenants").estimated_rows = 100_000
    assert "uneven" not in {d.table: d for d in distribution_plan(s)}["tenants"].why


def test_every_example_designs_and_seeds_distributed(scratch_dsn, tmp_path):
    """Every example designs with --dialect citus and seeds on PostgreSQL. blog_cms's threaded comments are a self
    reference that carries the distribution column ((post_id, parent_id) -> comments (post_id, id)): designing it
    recursed without end in the seed plan, and seeding it left post_id NULL."""
    root = Path(__file__).resolve().parent.parent / "examples"
    for example in sorted(root.iterdir()):
        out = tmp_path / example.stem
        api.design_project(example, out, dialect="citus")
        if example.stem == "blog_cms":
            api.seed(out, scratch_dsn, scale=0.005)
            with psycopg.connect(scratch_dsn) as conn:
                assert conn.execute("SELECT count(*) FROM comments WHERE post_id IS NULL").fetchone()[0] == 0
                assert conn.execute("SELECT count(*) FROM comments").fetchone()[0] > 0


def test_a_saas_is_sharded_by_its_customer_table():
    """saas_billing declares no tenant isolation; a DBA shards a SaaS by the customer (Citus's multi-tenant model):
    billing_accounts, with its key added to the tables below it (usage_records through subscriptions,
    invoice_lines and payments through invoices) and their references made composite, so every reference
    between them is kept; the shared catalog (plans) is a reference table."""
    from schemawright.dialects import get_dialect

    schema = api.design_project(INPUTS / "saas_billing.yaml").schema
    adapted, degradations = get_dialect("citus").adapt(schema)
    plan = {d.table: d for d in distribution_plan(adapted)}
    assert (plan["billing_accounts"].method, plan["billing_accounts"].column) == ("distributed", "id")
    for t in ("subscriptions", "usage_records", "invoices", "invoice_lines", "payments"):
        assert (plan[t].column, plan[t].colocate_with) == ("billing_account_id", "billing_accounts"), t
    assert plan["plans"].method == "reference"
    assert "taxes" not in plan  # tax_id is the customer's tax number (encrypted), not a reference to a table
    added = {d.name for d in degradations if d.kind == "column" and "tenant" in d.why}
    assert added == {"usage_records.billing_account_id", "invoice_lines.billing_account_id",
                     "payments.billing_account_id"}
    usage = adapted.table("usage_records")
    fk = next(f for f in usage.foreign_keys if f.ref_table == "subscriptions")
    assert (fk.columns, fk.ref_columns) == (("billing_account_id", "subscription_id"), ("billing_account_id", "id"))
    assert not [d for d in degradations if d.kind == "foreign_key" and "not colocated" in d.why]
    before = sum(len(t.foreign_keys) for t in schema.tables)
    assert sum(len(t.foreign_keys) for t in adapted.tables) == before
