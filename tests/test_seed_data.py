"""Synthetic data: every generated row satisfies every constraint, on a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import psycopg
import pytest
import typer
from typer.testing import CliRunner

from schemawright.api import design_schema
from schemawright.db import connect
from schemawright.render import RenderContext
from schemawright.render.seed_data import seed_sql
from schemawright.seed import build_plan
from schemawright.cli.seed import register
from schemawright.seed.run import seed
from schemawright.seed.source import load_source

ROOT = Path(__file__).resolve().parents[1]
UNTIL = dt.date(2026, 1, 1)

# Constraints of every kind the generator must honour: value sets, ranges, regex formats, an order
# between two columns, a derived total, enums, varchar limits, identity keys, a composite key made of
# two references, a unique pair with a free column, a self-reference and a one-to-one link.
SPEC = """
project: {name: seedcheck, scale: small}
data_model:
  entities:
    - name: customers
      estimated_rows: 3000
      attributes:
        - email
        - full_name
        - name: code
          type: varchar(12)
          unique: true
          check: "code ~ '^[A-Z]{3}-[0-9]{4,8}$'"
        - {name: tier, type: enum, values: [bronze, silver, gold]}
        - {name: referred_by, references: customers}
        - phone
        - country
    - name: profiles
      estimated_rows: 1000
      attributes:
        - {name: customer_id, references: customers, unique: true, nullable: false}
        - bio
    - name: invoices
      estimated_rows: 8000
      attributes:
        - customer_id
        - invoice_number
        - subtotal
        - tax
        - total
        - status
        - {name: starts_on, type: date, nullable: false}
        - {name: ends_on, type: date, nullable: false}
        - {name: seq, type: bigint, nullable: false}
        - {name: discount_percent, type: "numeric(5,2)", check: "discount_percent BETWEEN 0 AND 40"}
    - name: tags
      type: lookup
      estimated_rows: 30
      attributes: [name]
    - name: invoice_tags
      type: junction
      primary_key: [invoice_id, tag_id]
      estimated_rows: 9000
      attributes: [invoice_id, tag_id]
  business_rules:
    - {name: total_adds_up, entity: invoices, check: "total = subtotal + tax"}
    - {name: period_order, entity: invoices, check: "ends_on > starts_on"}
  constraints:
    - {entity: invoices, type: unique, columns: [customer_id, seq]}
"""


@pytest.fixture
def spec_path(tmp_path) -> Path:
    path = tmp_path / "seedcheck.yaml"
    path.write_text(SPEC)
    return path


def test_every_generated_row_satisfies_every_constraint(spec_path, scratch_dsn):
    result = seed(spec_path, scratch_dsn, scale=1.0, seed=7, until=UNTIL)
    plan = result.plan
    assert result.created_schema and not result.load.repairs
    with connect(scratch_dsn) as conn:
        counts = {t.name: conn.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0] for t in plan.tables}
        # The load put every key, unique constraint and foreign key back (validating all rows); CHECK,
        # NOT NULL and types were enforced by COPY itself. Prove the constraints are really there:
        kinds = Counter(r[0] for r in conn.execute(
            "SELECT contype FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'"))
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO invoice_tags SELECT invoice_id, tag_id FROM invoice_tags LIMIT 1")
        conn.rollback()
        bad = conn.execute("SELECT count(*) FROM invoices WHERE total <> subtotal + tax OR ends_on <= starts_on"
                           ).fetchone()[0]
    assert counts == {t.name: t.rows for t in plan.tables}
    assert counts["customers"] == 3000 and counts["invoice_tags"] == 9000
    assert kinds["p"] == 5 and kinds["f"] >= 5 and kinds["u"] >= 4 and kinds["c"] >= 8
    assert bad == 0


def test_same_seed_same_rows_and_skewed_fan_out(spec_path):
    source = load_source(spec_path)
    a = build_plan(source.schema, scale=1.0, seed=3, until=UNTIL).table("invoices").block(100, 200)
    b = build_plan(source.schema, scale=1.0, seed=3, until=UNTIL).table("invoices").block(100, 200)
    c = build_plan(source.schema, scale=1.0, seed=4, until=UNTIL).table("invoices").block(100, 200)
    assert a == b and a != c
    plan = build_plan(source.schema, scale=1.0, seed=3, until=UNTIL)
    invoices = plan.table("invoices")
    per_customer = Counter(invoices.batch(0, invoices.rows)["customer_id"])
    top = sum(n for _, n in per_customer.most_common(30))  # the top 1% of 3,000 customers
    assert top > 0.15 * invoices.rows  # uniform would give 1%


def test_scale_sets_row_counts_and_plans_stay_within_unique_capacity(spec_path):
    schema = load_source(spec_path).schema
    plan = build_plan(schema, scale=0.01, seed=1, until=UNTIL)
    assert plan.table("customers").rows == 30
    assert plan.table("tags").rows == 30  # lookup tables load at their real size (estimated_rows), not scaled
    big = build_plan(schema, scale=1.0, seed=1, until=UNTIL, rows={"profiles": 10_000})
    assert big.table("profiles").rows == 3000  # one profile per customer at most (unique reference)


def test_dev_seed_file_loads(spec_path, scratch_dsn):
    spec, schema = design_schema(spec_path)
    text = seed_sql(RenderContext(schema=schema))
    source = load_source(spec_path)
    with connect(scratch_dsn, autocommit=True) as conn:
        conn.execute(source.forward[0])
        with conn.transaction():
            conn.execute(text)
        assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 10
    assert "INSERT INTO invoices" in text and "'" in text


def test_cli_seeds_a_design_folder_and_refuses_filled_tables(tmp_path, scratch_dsn):
    from schemawright.api import design_project

    folder = tmp_path / "db"
    design_project(ROOT / "examples" / "saas_multitenant.yaml", folder)
    app = typer.Typer()
    register(app)
    app.callback()(lambda: None)
    runner = CliRunner()
    args = ["seed", str(folder), "--scale", "0.0005", "--dsn", scratch_dsn, "--until", "2026-01-01", "--max-rows", "20000"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "rows: COPY" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 3 and "already hold rows" in again.output
    replaced = runner.invoke(app, args + ["--replace", "--json"])
    assert replaced.exit_code == 0 and '"rows"' in replaced.output
