"""seed honours what the checks and keys of a table say across columns: a NOT NULL derived column gets
non-NULL operands, a nullable reference that closes a cycle is left NULL, two references to the same
parent that must differ (CHECK a <> b) never point at the same row, also when they form a unique key,
and a date in a unique key is enumerated over the days of the time window."""

from __future__ import annotations

from pathlib import Path

import psycopg

from schemawright.api import design_project
from schemawright.datagen.plan import Enumeration, build_plan
from schemawright.datagen.pools import NULL
from schemawright.datagen.rules import ColumnRules, table_rules
from schemawright.seed.run import seed
from schemawright.seed.source import load_source

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "tests" / "inputs"


def _seed(tmp_path: Path, dsn: str, name: str, scale: float = 0.001):
    out = tmp_path / "out"
    design_project(INPUTS / name, out)
    return seed(out, dsn, scale=scale, max_rows=20_000)


def _one(dsn: str, query: str):
    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchone()


def test_enumeration_skips_equal_pairs():
    """Two components that must differ: the second takes one value fewer and skips the first's value, a
    bijection onto the pairs that differ."""
    e = Enumeration(components=[("a", list("xyzw")), ("b", list("xyzw"))], stride=1, offset=0, differ={1: 0})
    assert e.capacity == 12
    cols = e.columns_at(range(12))
    pairs = list(zip(cols["a"], cols["b"]))
    assert len(set(pairs)) == 12 and all(a != b for a, b in pairs)


def test_not_equal_check_is_read_both_ways():
    class _Check:  # the part of a check that table_rules reads
        expression = "follower_id <> followee_id"

    class _Table:
        checks = [_Check()]

    rules = table_rules(_Table())  # type: ignore[arg-type]
    assert rules["follower_id"].differs == ["followee_id"]
    assert rules["followee_id"].differs == ["follower_id"]
    assert ColumnRules().differs == []


def test_not_null_derived_column_gets_non_null_operands(tmp_path: Path, scratch_dsn: str):
    """orders.total = subtotal + delivery_fee + tip is NOT NULL: its nullable operands are never NULL."""
    _seed(tmp_path, scratch_dsn, "delivery_marketplace.json")
    n, bad = _one(scratch_dsn, "SELECT count(*), count(*) FILTER (WHERE total IS NULL OR "
                               "total <> subtotal + delivery_fee + tip) FROM orders")
    assert n > 0 and bad == 0


def test_reference_closing_a_cycle_is_left_null(tmp_path: Path):
    """departments.manager_id -> employees -> departments: employees load after departments, so the
    nullable manager_id is left NULL (the foreign key holds) instead of pointing at no row. (A plan
    test: the design needs pgcrypto, which the embedded server lacks.)"""
    out = tmp_path / "out"
    design_project(INPUTS / "hr_system.yaml", out)
    plan = build_plan(load_source(out).schema, scale=0.01)
    names = [t.name for t in plan.tables]
    assert names.index("departments") < names.index("employees")
    departments = plan.table("departments")
    assert set(departments.batch(0, 50)["manager_id"]) == {NULL}
    assert any("loaded later" in note for note in departments.notes)


def test_two_references_to_the_same_parent_differ(tmp_path: Path, scratch_dsn: str):
    """CHECK (destination_depot_id <> origin_depot_id): the second reference skips the first's row."""
    _seed(tmp_path, scratch_dsn, "logistics.yaml")
    n, same = _one(scratch_dsn, "SELECT count(*), count(*) FILTER (WHERE origin_depot_id = destination_depot_id)"
                                " FROM shipments")
    assert n > 0 and same == 0


def test_unique_pair_of_references_that_differ(tmp_path: Path, scratch_dsn: str):
    """follows: UNIQUE (follower_id, followee_id) enumerated over the pairs of different profiles."""
    _seed(tmp_path, scratch_dsn, "social_network.yaml")
    n, selves, pairs = _one(scratch_dsn, "SELECT count(*), count(*) FILTER (WHERE follower_id = followee_id), "
                                         "count(DISTINCT (follower_id, followee_id)) FROM follows")
    assert n > 0 and selves == 0 and pairs == n


def test_date_in_a_unique_key_is_enumerated(tmp_path: Path, scratch_dsn: str):
    """attendance_records: UNIQUE (student_id, class_id, attended_on), a date among two references."""
    _seed(tmp_path, scratch_dsn, "school.yaml")
    n, keys, days = _one(scratch_dsn, "SELECT count(*), count(DISTINCT (student_id, class_id, attended_on)), "
                                      "count(DISTINCT attended_on) FROM attendance_records")
    assert n > 0 and keys == n and days > 1


def test_periods_that_never_overlap_per_room_are_spread_over_the_rooms(tmp_path: Path, pg15_dsn: str):
    """hotel_booking: EXCLUDE (room_id WITH =, daterange(check_in_date, check_out_date) WITH &&). The stays are
    spread over the rooms, one after another in each room, so reservations reach their stated row count
    (8,000,000 x scale) instead of one stay every two days for the whole table (365 rows); PostgreSQL's
    exclusion constraint accepted every row, and no two stays of a room overlap (cancelled ones included; a stay
    without dates, NULL in the constraint, takes part in no conflict)."""
    from schemawright.db import scratch_database

    out = tmp_path / "out"
    design_project(INPUTS / "hotel_booking.yaml", out)
    plan = build_plan(load_source(out).schema, scale=0.002)
    reservations, rooms = plan.table("reservations"), plan.table("rooms")
    assert reservations.rows == 16_000 and rooms.rows == 1_600, reservations.notes
    assert plan.table("rates").rows == 2_000  # rate periods never overlap per room type: one each
    with scratch_database(pg15_dsn, prefix="sw_seed_spread") as dsn:
        seed(out, dsn, scale=0.002)
        n, per_room, most, overlaps = _one(dsn, """
            SELECT (SELECT count(*) FROM reservations), (SELECT count(DISTINCT room_id) FROM reservations),
                   (SELECT max(c) FROM (SELECT count(*) AS c FROM reservations GROUP BY room_id) s),
                   (SELECT count(*) FROM reservations a JOIN reservations b ON a.room_id = b.room_id AND a.id < b.id
                     AND daterange(a.check_in_date, a.check_out_date) && daterange(b.check_in_date, b.check_out_date)
                     AND num_nonnulls(a.check_in_date, a.check_out_date, b.check_in_date, b.check_out_date) = 4)""")
        excl = _one(dsn, "SELECT count(*) FROM pg_constraint WHERE contype = 'x' AND conrelid = 'reservations'::regclass")
    assert (n, per_room, most, overlaps) == (16_000, 1_600, 10, 0)
    assert excl == (1,)
