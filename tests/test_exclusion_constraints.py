"""Overlap rules become ``EXCLUDE USING gist`` constraints: rendered, read back from the catalog (so verify's
comparison sees them), compared, attacked by verify, and planned by diff. The oracle is PostgreSQL."""

from __future__ import annotations

import copy
import textwrap

import psycopg
import pytest

from schemawright.api import design_schema
from schemawright.db import scratch_database
from schemawright.diff import diff, plan
from schemawright.dialects import get_dialect
from schemawright.inspect.postgres import inspect_schema
from schemawright.model.compare import differences

INPUT = textwrap.dedent("""
    project: {name: boat-hire}
    data_model:
      entities:
        - name: boats
          attributes: [name, berth_code]
        - name: hires
          attributes: [boat_id, customer_name, starts_at, ends_at, {name: status, values: [booked, cancelled]}]
      business_rules:
        - {name: no_double_hire, entity: hires, description: Hires of a boat never overlap (cancelled ones excepted)}
        - {name: ordered, entity: hires, description: ends_at is after starts_at}
""")


@pytest.fixture
def design(tmp_path):
    path = tmp_path / "boats.yaml"
    path.write_text(INPUT)
    return design_schema(path)[1]


def _apply(conn, schema) -> None:
    for st in get_dialect("postgresql").create_statements(schema):
        conn.execute(st.sql.encode())


def test_overlap_rule_is_an_exclusion_constraint_read_back_equal(design, pg_dsn):
    hires = design.table("hires")
    assert [x.name for x in hires.exclusions] == ["excl_hires_no_double_hire"]
    assert "btree_gist" in design.extensions
    assert not any("no_double_hire" in t.name for t in hires.triggers)
    with scratch_database(pg_dsn) as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        _apply(conn, design)
        catalog = inspect_schema(conn)
        assert catalog.table("hires").exclusions[0].method == "gist"
        assert not [d for d in differences(design, catalog) if "hires" in d], differences(design, catalog)
        # the comparison sees a missing or changed exclusion constraint
        conn.execute("ALTER TABLE hires DROP CONSTRAINT excl_hires_no_double_hire")
        assert any("excl_hires_no_double_hire" in d for d in differences(design, inspect_schema(conn)))
        # diff plans it back (and its undo drops it), and PostgreSQL accepts the plan
        steps = plan(diff(inspect_schema(conn), design), online=False, allow_destructive=True)
        forward = [s.sql for s in steps.forward if "excl_hires_no_double_hire" in s.sql]
        assert forward and "EXCLUDE USING gist" in forward[0]
        for sql in forward:
            conn.execute(sql.encode())
        assert not [d for d in differences(design, inspect_schema(conn)) if "excl_" in d]


def test_overlapping_row_is_refused_with_23P01(design, pg_dsn):
    with scratch_database(pg_dsn) as dsn, psycopg.connect(dsn) as conn:
        _apply(conn, design)
        boat = conn.execute("INSERT INTO boats (name, berth_code) VALUES ('Ada', 'B1') RETURNING id").fetchone()[0]
        insert = ("INSERT INTO hires (boat_id, customer_name, starts_at, ends_at, status) "
                  "VALUES (%s, 'x', %s, %s, %s)")
        conn.execute(insert, (boat, "2025-06-01 10:00Z", "2025-06-01 12:00Z", "booked"))
        with pytest.raises(psycopg.Error) as info:
            with conn.transaction():
                conn.execute(insert, (boat, "2025-06-01 11:00Z", "2025-06-01 13:00Z", "booked"))
        assert info.value.diag.sqlstate == "23P01"
        assert info.value.diag.constraint_name == "excl_hires_no_double_hire"
        conn.execute(insert, (boat, "2025-06-01 12:00Z", "2025-06-01 13:00Z", "booked"))  # back to back
        conn.execute(insert, (boat, "2025-06-01 11:00Z", "2025-06-01 13:00Z", "cancelled"))  # excepted
        conn.rollback()


def test_diff_between_designs_with_and_without_the_rule(design):
    without = copy.deepcopy(design)
    without.table("hires").exclusions.clear()
    forward = plan(diff(without, design), online=True).sql()
    assert "EXCLUDE USING gist" in forward
    undo = plan(diff(design, without), online=True, allow_destructive=True).sql()
    assert "DROP CONSTRAINT excl_hires_no_double_hire" in undo


def test_structured_exclude_with_several_keys(tmp_path, pg_dsn):
    path = tmp_path / "seats.yaml"
    path.write_text(textwrap.dedent("""
        project: {name: seat-hire}
        data_model:
          entities:
            - name: rooms
              attributes: [name]
            - name: bookings
              attributes: [room_id, {name: seat, type: integer}, starts_on, ends_on,
                           {name: status, values: [held, cancelled]}]
          business_rules:
            - {name: no_overlap, entity: bookings,
               exclude: {per: [room_id, seat], period: [starts_on, ends_on], unless: {status: cancelled}}}
    """))
    schema = design_schema(path)[1]
    (x,) = schema.table("bookings").exclusions
    assert [(e.column, e.operator) for e in x.elements[:2]] == [("room_id", "="), ("seat", "=")]
    with scratch_database(pg_dsn) as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        _apply(conn, schema)
        room = conn.execute("INSERT INTO rooms (name) VALUES ('r') RETURNING id").fetchone()[0]
        insert = "INSERT INTO bookings (room_id, seat, starts_on, ends_on, status) VALUES (%s, %s, %s, %s, 'held')"
        conn.execute(insert, (room, 1, "2025-01-01", "2025-01-05"))
        conn.execute(insert, (room, 2, "2025-01-01", "2025-01-05"))  # another seat: no conflict
        with pytest.raises(psycopg.errors.ExclusionViolation):
            conn.execute(insert, (room, 1, "2025-01-04", "2025-01-06"))
        assert not [d for d in differences(schema, inspect_schema(conn)) if "bookings" in d]


def test_a_period_named_in_mixed_tenses_is_found(tmp_path, pg_dsn):
    """tests/inputs/parking_enforcement.yaml: "Parking sessions of a vehicle never overlap" over started_at/ends_at
    (a session started, it ends when the paid time runs out) was reported as not understood: the period's pairs
    only matched in one tense (started/ended, starts/ends)."""
    path = tmp_path / "parking.yaml"
    path.write_text(textwrap.dedent("""
        project: {name: parking}
        data_model:
          entities:
            - name: vehicles
              attributes: [plate_number]
            - name: parking_sessions
              attributes: [{name: vehicle_id, required: true}, started_at, ends_at, amount_paid]
          business_rules:
            - {name: no_overlapping_sessions, entity: parking_sessions,
               description: Parking sessions of a vehicle never overlap}
        """))
    schema = design_schema(path)[1]
    sessions = schema.table("parking_sessions")
    assert [x.name for x in sessions.exclusions] == ["excl_parking_sessions_no_overlapping_sessions"]
    with scratch_database(pg_dsn) as dsn, psycopg.connect(dsn) as conn:
        _apply(conn, schema)
        car = conn.execute("INSERT INTO vehicles (plate_number) VALUES ('AB12') RETURNING id").fetchone()[0]
        insert = "INSERT INTO parking_sessions (vehicle_id, started_at, ends_at) VALUES (%s, %s, %s)"
        conn.execute(insert, (car, "2025-06-01 10:00Z", "2025-06-01 12:00Z"))
        with pytest.raises(psycopg.Error) as info:
            with conn.transaction():
                conn.execute(insert, (car, "2025-06-01 11:00Z", "2025-06-01 13:00Z"))
        assert (info.value.diag.sqlstate, info.value.diag.constraint_name) == (
            "23P01", "excl_parking_sessions_no_overlapping_sessions")
        conn.execute(insert, (car, "2025-06-01 12:00Z", "2025-06-01 13:00Z"))  # back to back
        conn.rollback()
