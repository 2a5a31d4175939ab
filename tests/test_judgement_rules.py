"""The compiled business rules hold on PostgreSQL: each refuses a violating row or transaction with the
expected SQLSTATE and accepts a valid one (hotel booking, HR and SaaS billing inputs of tests/inputs/)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.datagen.rows import RowFactory

INPUTS = Path(__file__).resolve().parent / "inputs"


def _v001(result) -> str:
    """The initial migration of a design, as design_project(spec, folder) writes it."""
    return next(a.content for a in result.artifacts if a.path == "migrations/V001__initial_schema.sql")


def _applied(pg15_dsn, designed_input, name: str):
    """The input designed (once per session, tests/conftest.py), its V001 applied on a scratch database:
    (schema, connection, row factory)."""
    result = designed_input(INPUTS / name)
    migration = _v001(result)
    with scratch_database(pg15_dsn, "sw_rules") as dsn, psycopg.connect(dsn) as conn:
        conn.execute(migration.encode())
        conn.commit()
        yield result.schema, conn, RowFactory(conn, result.schema)


@pytest.fixture
def hotel(pg15_dsn, designed_input):
    yield from _applied(pg15_dsn, designed_input, "hotel_booking.yaml")


def _refused(conn, sqlstate: str, statement, params=()) -> str:
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            conn.execute(statement, params)
    assert info.value.diag.sqlstate == sqlstate, info.value
    return info.value.diag.constraint_name


def _reservation(schema, f: RowFactory, **values) -> dict:
    table = schema.table("reservations")
    row = f.valid_row(table)
    row.update(values)
    return f.insert(table, row)


def test_overlapping_reservations_of_a_room_are_refused(hotel):
    schema, conn, f = hotel
    first = _reservation(schema, f, check_in_date="2025-03-01", check_out_date="2025-03-05", status="confirmed")
    table = schema.table("reservations")
    clash = f.valid_row(table) | {"room_id": first["room_id"], "hotel_id": first["hotel_id"],
                                  "check_in_date": "2025-03-04", "check_out_date": "2025-03-06", "status": "confirmed"}
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            f.insert(table, clash)
    assert info.value.diag.sqlstate == "23P01"
    # back to back is no overlap ([) ranges), and a cancelled reservation does not count
    f.insert(table, clash | {"check_in_date": "2025-03-05", "check_out_date": "2025-03-07"})
    f.insert(table, clash | {"status": "cancelled"})


def test_the_room_belongs_to_the_reservations_hotel(hotel):
    schema, conn, f = hotel
    first = _reservation(schema, f)
    other_hotel = f.insert(schema.table("hotels"), f.valid_row(schema.table("hotels")))
    name = _refused(conn, "23503", "UPDATE reservations SET hotel_id = %s WHERE id = %s",
                    (other_hotel["id"], first["id"]))
    assert name == "fk_reservations_room_id_hotel_id"


def test_ordering_uniqueness_and_ranges(hotel):
    schema, conn, f = hotel
    first = _reservation(schema, f, check_in_date="2025-05-01", check_out_date="2025-05-03")
    assert _refused(conn, "23514", "UPDATE reservations SET check_out_date = check_in_date WHERE id = %s",
                    (first["id"],)) == "chk_reservations_checkout_after_checkin"
    assert _refused(conn, "23514", "UPDATE reservations SET adults = 0 WHERE id = %s",
                    (first["id"],)) == "chk_reservations_at_least_one_adult"
    room = conn.execute("SELECT hotel_id, room_number FROM rooms LIMIT 1").fetchone()
    table = schema.table("rooms")
    twin = f.valid_row(table) | {"hotel_id": room[0], "room_number": room[1]}
    with pytest.raises(psycopg.errors.UniqueViolation):
        with conn.transaction():
            f.insert(table, twin)


def test_rate_periods_of_a_room_type_never_overlap(hotel):
    schema, conn, f = hotel
    table = schema.table("rates")
    first = f.insert(table, f.valid_row(table) | {"valid_from": "2025-01-01", "valid_to": "2025-02-01"})
    clash = f.valid_row(table) | {"room_type_id": first["room_type_id"], "valid_from": "2025-01-15",
                                  "valid_to": "2025-03-01"}
    with pytest.raises(psycopg.Error) as info:
        with conn.transaction():
            f.insert(table, clash)
    assert info.value.diag.sqlstate == "23P01"


@pytest.fixture
def billing(pg15_dsn, designed_input):
    yield from _applied(pg15_dsn, designed_input, "saas_billing.yaml")


def test_invoice_status_follows_its_transitions(billing):
    schema, conn, f = billing
    table = schema.table("invoices")
    invoice = f.insert(table, f.valid_row(table) | {"status": "draft"})
    _refused(conn, "23514", "UPDATE invoices SET status = 'paid' WHERE id = %s", (invoice["id"],))
    conn.execute("UPDATE invoices SET status = 'open' WHERE id = %s", (invoice["id"],))
    conn.execute("UPDATE invoices SET status = 'paid' WHERE id = %s", (invoice["id"],))
    _refused(conn, "23514", "UPDATE invoices SET status = 'draft' WHERE id = %s", (invoice["id"],))


def test_at_most_one_active_subscription_per_account(billing):
    schema, conn, f = billing
    table = schema.table("subscriptions")
    first = f.insert(table, f.valid_row(table) | {"status": "active"})
    second = f.valid_row(table) | {"billing_account_id": first["billing_account_id"], "status": "active"}
    with pytest.raises(psycopg.errors.UniqueViolation):
        with conn.transaction():
            f.insert(table, second)
    f.insert(table, second | {"status": "cancelled"})


def test_usage_records_are_append_only_for_the_application(billing):
    schema, conn, f = billing
    table = schema.table("usage_records")
    row = f.insert(table, f.valid_row(table))
    app = next(r.name for r in schema.roles if r.purpose == "readwrite")
    conn.execute(psycopg.sql.SQL("SET ROLE {}").format(psycopg.sql.Identifier(app)))
    _refused(conn, "55000", "UPDATE usage_records SET quantity = quantity WHERE id = %s", (row["id"],))
    _refused(conn, "55000", "DELETE FROM usage_records WHERE id = %s", (row["id"],))
    conn.execute("RESET ROLE")


STRUCTURED = """
project: {name: structured}
data_model:
  entities:
    - name: rooms
      attributes: [{name: number, type: integer}]
    - name: bookings
      attributes: [room_id, starts_on, ends_on, {name: status, values: [held, booked, cancelled]}, code]
  business_rules:
    - {name: no_overlap, entity: bookings, exclude: {per: [room_id], period: [starts_on, ends_on], unless: {status: cancelled}}}
    - {name: flow, entity: bookings, transitions: {held: [booked, cancelled], booked: [cancelled]}}
    - {name: code_per_room, entity: bookings, unique_within: [room_id], columns: [code]}
    - {name: frozen, entity: rooms, immutable: true}
"""


def test_structured_rules_compile_and_verify(tmp_path, pg15_dsn):
    from schemawright.verify import verify_project
    spec = tmp_path / "s.yaml"
    spec.write_text(STRUCTURED)
    result = design_project(spec, tmp_path / "out")
    enforced = {i.subject: i.rule for i in result.schema.inferences if i.decision.startswith("enforced by")}
    assert enforced == {"no_overlap": "rule.overlap", "flow": "rule.transitions", "code_per_room": "rule.unique",
                        "frozen": "rule.immutable"}
    report = verify_project(tmp_path / "out", dsn=pg15_dsn)
    assert report.passed, [s for s in report.steps if not s.ok]


def test_structured_rules_give_located_errors(tmp_path):
    from schemawright.errors import SpecError
    spec = tmp_path / "s.yaml"
    spec.write_text("""
project: {name: structured}
data_model:
  entities:
    - name: bookings
      attributes: [starts_on, ends_on, {name: status, values: [held, booked]}]
  business_rules:
    - {name: flow, entity: bookings, transitions: {held: [paid]}}
    - {name: code_per_room, entity: bookings, unique_within: [room_id], columns: [code]}
    - {name: x, entity: bookings, exclude: {per: [status], period: [starts_on, status]}}
""")
    with pytest.raises(SpecError) as info:
        design_project(spec, tmp_path / "out")
    paths = [p.path for p in info.value.problems]
    assert paths == ["data_model.business_rules[0].transitions", "data_model.business_rules[1].unique_within",
                     "data_model.business_rules[2].exclude.period"]
    assert all(p.line for p in info.value.problems)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text, pairs", [
    ("status transitions: open -> partially_filled -> filled, open -> cancelled, partially_filled -> cancelled",
     {("open", "partially_filled"), ("partially_filled", "filled"), ("open", "cancelled"),
      ("partially_filled", "cancelled")}),
    ("status transitions: active -> on_hold -> active, active -> completed, on_hold -> cancelled",
     {("active", "on_hold"), ("on_hold", "active"), ("active", "completed"), ("on_hold", "cancelled")}),
    ("status transitions: draft -> open -> paid or void; uncollectible -> paid",
     {("draft", "open"), ("open", "paid"), ("open", "void"), ("uncollectible", "paid")}),
    ("status transitions: draft -> paid, void", {("draft", "paid"), ("draft", "void")}),
    ("status transitions: draft, pending -> paid", {("draft", "paid"), ("pending", "paid")}),
])
def test_transition_chains_split_at_commas_between_arrows(text, pairs):
    """A comma between two arrow chains separates them (it is not a list of values): 'a -> b, a -> c' allows
    a->b and a->c, never b->a or c->b."""
    from schemawright.design.rules.transitions import parse

    assert set(parse(text)[1]) == pairs


# --- beekeeping (issue 11's unseen input): rules written in everyday words, structural requirements ----------

@pytest.fixture
def bees(pg15_dsn, designed_input):
    yield from _applied(pg15_dsn, designed_input, "beekeeping.yaml")


def test_brood_frames_must_not_exceed_40(bees):
    """'brood_frames must not exceed 40': the column is an integer (compared with a whole number in the
    rule) and 41 is refused by a CHECK; 40 passes."""
    schema, conn, f = bees
    table = schema.table("inspections")
    row = f.valid_row(table)
    with pytest.raises(psycopg.errors.CheckViolation) as info:
        with conn.transaction():
            f.insert(table, row | {"brood_frames": 41})
    assert info.value.diag.constraint_name == "chk_inspections_brood_limit"
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):  # an integer: not free text
        with conn.transaction():
            f.insert(table, row | {"brood_frames": "lots"})
    f.insert(table, row | {"brood_frames": 40, "varroa_per_100_bees": 2.5})


def test_a_hive_is_harvested_at_most_once_per_day(bees):
    schema, conn, f = bees
    table = schema.table("harvests")
    first = f.insert(table, f.valid_row(table) | {"harvested_on": "2026-07-01", "moisture_percent": 18})
    again = f.valid_row(table) | {"hive_id": first["hive_id"], "harvested_on": "2026-07-01", "moisture_percent": 18}
    with pytest.raises(psycopg.errors.UniqueViolation) as info:
        with conn.transaction():
            f.insert(table, again)
    assert info.value.diag.constraint_name == "uq_harvests_hive_id_harvested_on"
    f.insert(table, again | {"harvested_on": "2026-07-02"})


def test_jar_batches_stay_traceable_to_their_hive(bees):
    """'Harvest yields and jar batches traceable to the hive': NOT NULL foreign keys all the way."""
    schema, conn, f = bees
    table = schema.table("jar_batches")
    row = f.valid_row(table)
    _refused(conn, "23502", "INSERT INTO jar_batches (harvest_id, jar_count) VALUES (NULL, 1)")
    _refused(conn, "23502", "INSERT INTO harvests (hive_id, weight_kg) VALUES (NULL, 1)")
    f.insert(table, row)


def test_members_only_see_their_own_apiaries_and_what_hangs_off_them(bees):
    schema, conn, f = bees
    members, apiaries, hives = schema.table("members"), schema.table("apiaries"), schema.table("hives")
    inspections = schema.table("inspections")
    alice, bob = f.insert(members, f.valid_row(members)), f.insert(members, f.valid_row(members))
    mine = f.insert(apiaries, f.valid_row(apiaries) | {"member_id": alice["id"]})
    theirs = f.insert(apiaries, f.valid_row(apiaries) | {"member_id": bob["id"]})
    my_hive = f.insert(hives, f.valid_row(hives) | {"apiary_id": mine["id"]})
    their_hive = f.insert(hives, f.valid_row(hives) | {"apiary_id": theirs["id"]})
    for hive in (my_hive, their_hive):
        f.insert(inspections, f.valid_row(inspections) | {"hive_id": hive["id"], "brood_frames": 5})
    conn.commit()
    app = next(r.name for r in schema.roles if r.purpose == "readwrite")
    conn.execute(psycopg.sql.SQL("SET ROLE {}").format(psycopg.sql.Identifier(app)))
    conn.execute("SELECT set_config('app.current_user_id', %s, false)", (str(alice["id"]),))
    assert [str(r[0]) for r in conn.execute("SELECT id FROM apiaries")] == [str(mine["id"])]
    assert [str(r[0]) for r in conn.execute("SELECT id FROM hives")] == [str(my_hive["id"])]
    assert [str(r[0]) for r in conn.execute("SELECT hive_id FROM inspections")] == [str(my_hive["id"])]
    _refused(conn, "42501", "INSERT INTO apiaries (name, member_id) VALUES ('sneaky', %s)", (bob["id"],))
    conn.execute("RESET ROLE")


def test_the_history_of_a_hive_is_read_from_its_index(bees):
    """'Track every hive's inspections over time': the last 10 inspections of a hive come from
    (hive_id, inspected_at DESC) in order, without a sort."""
    schema, conn, f = bees
    table = schema.table("inspections")
    first = f.insert(table, f.valid_row(table) | {"brood_frames": 3})
    for _ in range(30):
        f.insert(table, f.valid_row(table) | {"brood_frames": 3, "hive_id": first["hive_id"]})
    conn.execute("ANALYZE inspections")
    conn.execute("SET enable_seqscan = off")
    plan = "\n".join(r[0] for r in conn.execute(
        "EXPLAIN SELECT * FROM inspections WHERE hive_id = %s ORDER BY inspected_at DESC LIMIT 10",
        (first["hive_id"],)))
    assert "idx_inspections_hive_id_inspected_at" in plan and "Sort" not in plan, plan


PHRASINGS = """
project: {name: phrasings}
data_model:
  entities:
    - name: crate
      attributes: [alpha, bravo, charlie, delta, echo, foxtrot, golf, hotel, india, juliet, kilo, lima, mike]
  business_rules:
    - {name: r_a, entity: crate, description: alpha must not exceed 40}
    - {name: r_b, entity: crate, description: bravo may not exceed 40}
    - {name: r_c, entity: crate, description: charlie is no more than 40}
    - {name: r_d, entity: crate, description: delta cannot be more than 40}
    - {name: r_e, entity: crate, description: echo must be less than 40}
    - {name: r_f, entity: crate, description: foxtrot is under 40}
    - {name: r_g, entity: crate, description: golf must not be less than 1}
    - {name: r_h, entity: crate, description: hotel is no less than 1}
    - {name: r_i, entity: crate, description: india cannot be below 1.5}
    - {name: r_j, entity: crate, description: juliet is at most 40}
    - {name: r_k, entity: crate, description: kilo must never exceed 40}
    - {name: r_l, entity: crate, description: lima is above 1}
    - {name: r_m, entity: crate, description: a crate may hold no more than 40 mikes per shelf}
"""
# column -> (a refused value, an accepted value, the type the rule text implies)
PHRASING_CASES = {"alpha": (41, 40, "integer"), "bravo": (41, 40, "integer"), "charlie": (41, 40, "integer"),
                  "delta": (41, 40, "integer"), "echo": (40, 39, "integer"), "foxtrot": (40, 39, "integer"),
                  "golf": (0, 1, "integer"), "hotel": (0, 1, "integer"), "india": (1.4, 1.5, "numeric"),
                  "juliet": (41, 40, "integer"), "kilo": (41, 40, "integer"), "lima": (1, 2, "integer"),
                  "mike": (41, 40, "integer")}  # the bound before the column: "no more than", never "more than"


def test_comparison_phrasings_type_their_column_and_bound_it_on_postgresql(tmp_path, pg15_dsn):
    spec = tmp_path / "p.yaml"
    spec.write_text(PHRASINGS)
    result = design_project(spec, tmp_path / "out")
    not_understood = [i.subject for i in result.schema.inferences if i.rule == "rule.not_understood"]
    assert not_understood == []
    table = result.schema.table("crates")
    assert {c: table.column(c).type.kind.value for c in PHRASING_CASES} == \
        {c: kind for c, (_bad, _good, kind) in PHRASING_CASES.items()}
    migration = (tmp_path / "out" / "migrations" / "V001__initial_schema.sql").read_text()
    with scratch_database(pg15_dsn, "sw_rules") as dsn, psycopg.connect(dsn) as conn:
        conn.execute(migration.encode())
        for column, (bad, good, _kind) in PHRASING_CASES.items():
            insert = psycopg.sql.SQL("INSERT INTO crates ({}) VALUES (%s)").format(psycopg.sql.Identifier(column))
            name = _refused(conn, "23514", insert, (bad,))
            assert name == f"chk_crates_r_{column[0]}", (column, name)
            conn.execute(insert, (good,))


def test_ordering_two_columns_of_unknown_type_is_not_understood_rather_than_a_string_comparison(tmp_path):
    """'oscar cannot be more than papa' with both untyped would be CHECK (oscar <= papa) on text, where
    '9' > '10': the rule is reported as not understood instead (a warning, partial success)."""
    spec = tmp_path / "o.yaml"
    spec.write_text("""
project: {name: unknowns}
data_model:
  entities:
    - name: crate
      attributes: [oscar, papa]
  business_rules:
    - {name: r_o, entity: crate, description: oscar cannot be more than papa}
""")
    result = design_project(spec, tmp_path / "out")
    assert [i.subject for i in result.schema.inferences if i.rule == "rule.not_understood"] == ["r_o"]
    assert not any("oscar" in c.expression.sql for c in result.schema.table("crates").checks)
