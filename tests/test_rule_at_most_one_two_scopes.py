""""At most one active permit per vehicle per zone" (tests/inputs/parking_enforcement.yaml) was reported as not
understood: the scope "vehicle per zone" named no column. Each scope of "per X per Y" / "per X and Y" is a column
of the partial unique index, proven on PostgreSQL: a second active permit of the same vehicle in the same zone is
refused, one in another zone or a revoked one is not."""

from __future__ import annotations

import textwrap

import psycopg
import pytest

from schemawright.api import design_schema
from schemawright.db import scratch_database
from schemawright.dialects import get_dialect

INPUT = """
    project: {name: permits-probe}
    data_model:
      entities:
        - name: vehicles
          attributes: [plate_number]
        - name: zones
          attributes: [{name: code, max_length: 10}]
        - name: permits
          attributes: [{name: vehicle_id, required: true}, {name: zone_id, required: true},
                       {name: status, values: [active, expired, revoked]}]
      business_rules:
        - {name: one_active_permit, entity: permits, description: %s}
"""


@pytest.mark.parametrize("text", ["At most one active permit per vehicle per zone",
                                  "At most one active permit per vehicle and zone"])
def test_at_most_one_active_permit_per_vehicle_per_zone(text, tmp_path, pg_dsn):
    path = tmp_path / "permits.yaml"
    path.write_text(textwrap.dedent(INPUT % text))
    _, schema = design_schema(path)
    index = next((i for i in schema.table("permits").indexes if i.unique and i.where is not None), None)
    assert index is not None, [i.name for i in schema.table("permits").indexes]
    assert [e.column for e in index.elements] == ["vehicle_id", "zone_id"]
    with scratch_database(pg_dsn) as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        for st in get_dialect("postgresql").create_statements(schema):
            conn.execute(st.sql.encode())
        car = conn.execute("INSERT INTO vehicles (plate_number) VALUES ('AB12') RETURNING id").fetchone()[0]
        north, south = (conn.execute("INSERT INTO zones (code) VALUES (%s) RETURNING id", [c]).fetchone()[0]
                        for c in ("N", "S"))
        insert = "INSERT INTO permits (vehicle_id, zone_id, status) VALUES (%s, %s, %s)"
        conn.execute(insert, [car, north, "active"])
        conn.execute(insert, [car, south, "active"])  # another zone
        conn.execute(insert, [car, north, "revoked"])  # not active
        with pytest.raises(psycopg.errors.UniqueViolation) as info:
            conn.execute(insert, [car, north, "active"])
        assert info.value.diag.constraint_name == index.name


def test_verify_attacks_the_rule_s_partial_unique_index(tmp_path, pg_dsn):
    """verify's constraint probes covered UNIQUE constraints only: the rule's index (a unique index, not a
    constraint) was never attacked. The probe refuses a second active permit naming the index, and fails when
    the index is missing."""
    from schemawright.verify.constraints import count_probes, run_probes

    path = tmp_path / "permits.yaml"
    path.write_text(textwrap.dedent(INPUT % "At most one active permit per vehicle per zone"))
    _, schema = design_schema(path)
    name = "uq_permits_vehicle_id_zone_id_active"
    with scratch_database(pg_dsn) as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        for st in get_dialect("postgresql").create_statements(schema):
            conn.execute(st.sql.encode())
        steps = []
        run_probes(conn, schema, steps.append)
        assert len(steps) == count_probes(schema)
        probe = [s for s in steps if s.name == f"permits: UNIQUE INDEX {name}"]
        assert len(probe) == 1 and probe[0].ok, [(s.name, s.ok, s.detail) for s in steps if not s.ok or s in probe]
        assert all(s.ok for s in steps), [(s.name, s.detail) for s in steps if not s.ok]
        conn.execute(f"DROP INDEX {name}")
        steps = []
        run_probes(conn, schema, steps.append)
        probe = next(s for s in steps if s.name == f"permits: UNIQUE INDEX {name}")
        assert not probe.ok and "accepted" in probe.detail, probe.detail
