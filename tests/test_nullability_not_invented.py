"""NOT NULL is not invented for columns the input leaves open (docs/fresh-inputs-2026-12.md finding 8):

- the range partition key of an event table is NOT NULL only when the table is partitioned on it; a table left
  whole keeps the input's nullability (csa_box_scheme ``payments.paid_at``: a pending or failed payment has no
  payment time);
- a reference named as a preference or a fallback (``preferred_pickup_site_id``) may stay empty.

Checked on the catalog of the applied V001 (real PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from schemawright.api import apply_migrations, design_project
from schemawright.db import scratch_database

INPUTS = Path(__file__).resolve().parent / "inputs"


def _nullable(tmp_path: Path, server_for, name: str, columns: list[tuple[str, str]]):
    out = tmp_path / "out"
    result = design_project(INPUTS / name, out)
    with scratch_database(server_for(result.schema.extensions)) as dsn:
        apply_migrations(out / "migrations", dsn)
        with psycopg.connect(dsn) as conn:
            found = {(t, c): n == "YES" for t, c, n in conn.execute(
                "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public'").fetchall()}
            partitioned = {r[0] for r in conn.execute("SELECT c.relname FROM pg_partitioned_table p "
                                                      "JOIN pg_class c ON c.oid = p.partrelid")}
    return [found[k] for k in columns], partitioned, result.schema


def test_unpartitioned_payment_time_and_preferred_site_stay_nullable(tmp_path: Path, server_for):
    (paid_at, preferred), partitioned, schema = _nullable(
        tmp_path, server_for, "csa_box_scheme.yaml",
        [("payments", "paid_at"), ("members", "preferred_pickup_site_id")])
    assert "payments" not in partitioned
    assert paid_at and preferred
    assert not [i for i in schema.inferences if i.rule == "partition.key" and i.subject == "payments.paid_at"]
    assert [i for i in schema.inferences if i.rule == "fk.optional_preference"
            and i.subject == "members.preferred_pickup_site_id"]


def test_a_partitioned_table_still_requires_its_partition_key(tmp_path: Path, server_for):
    (recorded_at,), partitioned, _ = _nullable(tmp_path, server_for, "museum_loans.json",
                                               [("environment_readings", "recorded_at")])
    assert "environment_readings" in partitioned and not recorded_at
