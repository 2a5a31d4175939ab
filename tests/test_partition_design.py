"""Partitioning: large event tables are partitioned, keys include the partition key, pruning works."""

from __future__ import annotations

import datetime as dt

from schemawright.api import design_schema
from schemawright.datagen.plan import build_plan
from schemawright.db import connect
from schemawright.dialects import get_dialect
from schemawright.seed.load import load_plan
from schemawright.verify.partitions import prune_problems

SPEC = """
project: {name: parts, scale: large}
data_model:
  entities:
    - name: customers
      estimated_rows: 100000
      attributes: [email]
    - name: orders
      type: transactional
      estimated_rows: 50000000
      attributes: [customer_id, total, status]
    - name: readings
      type: time_series
      audit_columns: false
      estimated_rows: 20000000
      attributes:
        - {name: organization_id, type: uuid, nullable: false}
        - {name: value, type: "double precision", nullable: false}
    - name: invoices
      type: transactional
      estimated_rows: 20000000
      attributes: [customer_id, total]
    - name: invoice_lines
      estimated_rows: 1000
      attributes: [invoice_id, amount]
"""


def test_partitioned_design_applies_prunes_and_seeds(tmp_path, scratch_dsn):
    path = tmp_path / "parts.yaml"
    path.write_text(SPEC)
    _, schema = design_schema(path)
    orders, readings, invoices = schema.table("orders"), schema.table("readings"), schema.table("invoices")
    assert (orders.partitioning.strategy, orders.partitioning.columns) == ("range", ("created_at",))
    assert orders.primary_key.columns == ("id", "created_at")
    assert (readings.partitioning.strategy, readings.partitioning.columns) == ("hash", ("organization_id",))
    assert invoices.partitioning is None  # referenced by invoice_lines
    assert any(i.rule == "partition.skipped" and i.subject == "invoices" for i in schema.inferences)
    ddl = "\n\n".join(s.sql for s in get_dialect().create_statements(schema))
    with connect(scratch_dsn, autocommit=True) as conn:
        conn.execute(ddl)
        assert conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'readings'::regclass").fetchone()[0] == 16
        assert conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'orders'::regclass").fetchone()[0] == 6
        assert prune_problems(conn, orders) == [] and prune_problems(conn, readings) == []
        # the maintenance function creates future months and is idempotent; a new month gets no grants from
        # default privileges (read through the parent and its RLS, never directly)
        conn.execute("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC")
        made = conn.execute("SELECT fn_create_monthly_partitions('orders', CURRENT_DATE, CURRENT_DATE + 200)"
                            ).fetchone()[0]
        again = conn.execute("SELECT fn_create_monthly_partitions('orders', CURRENT_DATE, CURRENT_DATE + 200)"
                             ).fetchone()[0]
        assert made >= 2 and again == 0
        granted = conn.execute(
            "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid CROSS JOIN LATERAL "
            "aclexplode(c.relacl) a WHERE i.inhparent = 'orders'::regclass AND a.grantee <> c.relowner").fetchone()[0]
        assert granted == 0
        conn.execute("ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM PUBLIC")
        plan = build_plan(schema, seed=1, until=dt.date(2025, 6, 30),
                          rows={"customers": 300, "orders": 3000, "readings": 2000, "invoices": 100,
                                "invoice_lines": 50})
        load_plan(conn, plan)
        spread = conn.execute("SELECT count(DISTINCT tableoid) FROM orders").fetchone()[0]
        default_rows = conn.execute("SELECT count(*) FROM orders_default").fetchone()[0]
    assert spread >= 20 and default_rows == 0  # two years of months, each in its own partition
