"""seed exercises partial unique predicates (true for at most one row per key, and for many keys, not
kept false), and a CHECK the generators miss is repaired from several accepted values, not one
constant. Oracle: PostgreSQL builds the unique indexes over the loaded rows and counts the values."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemawright.api import seed
from schemawright.db import connect, scratch_database

SPEC = """
project: {name: partial uniques}
data_model:
  entities:
    - name: customers
      estimated_rows: 2000
      attributes: [email, name]
    - name: addresses
      type: child
      estimated_rows: 8000
      attributes:
        - customer_id
        - city
        - {name: is_primary, type: boolean}
        - {name: kind, type: text, values: [home, work, billing]}
        - {name: verified_on, type: date}
        - {name: qty, type: integer, check: "qty % 5 = 0 AND qty > 0"}
  indexes:
    - {entity: addresses, columns: [customer_id], unique: true, where: "is_primary", name: uq_addresses_primary}
    - {entity: addresses, columns: [customer_id], unique: true, where: "kind = 'billing'", name: uq_addresses_billing}
    - {entity: addresses, columns: [customer_id], unique: true, where: "verified_on IS NOT NULL", name: uq_addresses_verified}
"""


@pytest.fixture
def seeded(tmp_path: Path, pg15_dsn: str):
    spec = tmp_path / "input.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    with scratch_database(pg15_dsn, prefix="sw_pu") as dsn:
        result = seed(spec, dsn, scale=1.0)
        with connect(dsn) as conn:
            yield result, conn


@pytest.mark.parametrize("predicate", ["is_primary", "kind = 'billing'", "verified_on IS NOT NULL"])
def test_partial_unique_predicate_is_true_once_per_key(seeded, predicate):
    result, conn = seeded
    rows, keys, most = conn.execute(
        f"SELECT count(*), count(DISTINCT customer_id), coalesce(max(n), 0) FROM (SELECT customer_id, count(*) "
        f"OVER (PARTITION BY customer_id) AS n FROM addresses WHERE {predicate}) x").fetchone()
    customers = conn.execute("SELECT count(DISTINCT customer_id) FROM addresses").fetchone()[0]
    assert most == 1  # the index holds (it was built over these rows, too)
    assert rows == keys
    assert keys >= customers // 4, f"{predicate} holds for {keys} of {customers} customers"


def test_the_unique_indexes_were_built(seeded):
    _, conn = seeded
    names = {r[0] for r in conn.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'addresses'::regclass AND indisunique "
        "AND indpred IS NOT NULL AND indisvalid")}
    assert names == {"uq_addresses_primary", "uq_addresses_billing", "uq_addresses_verified"}


def test_a_repaired_check_column_keeps_varying(seeded):
    result, conn = seeded
    assert any("chk_addresses_qty" in r for r in result.load.repairs)
    distinct, bad = conn.execute(
        "SELECT count(DISTINCT qty), count(*) FILTER (WHERE NOT (qty % 5 = 0 AND qty > 0)) FROM addresses").fetchone()
    assert bad == 0
    assert distinct >= 3
