"""Business rules in everyday words (design/rules/everyday.py): the table's noun before a column, units,
"from 1 to 5", "Trip status: a -> b", contractions, "each X gets only one Y", an expression as the
description, two columns that differ, "once per X unless cancelled", "two trips that overlap", a date
against its parent's. Each is compiled into the object the catalog would make, and PostgreSQL refuses
a violating row while a valid one commits."""

from __future__ import annotations

import textwrap
from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project, design_schema
from schemawright.db.scratch import scratch_database
from schemawright.errors import SpecError
from schemawright.verify import verify_project

SPEC = """
project: {name: coach-lines, type: intercity_transport}
conventions: {security: false}
data_model:
  entities:
    - name: coaches
      attributes: [{name: name, type: varchar(100)}]
    - name: trips
      attributes:
        - coach_id
        - {name: departs_at, type: timestamptz, required: true}
        - {name: arrives_at, type: timestamptz, required: true}
        - {name: start_terminal, type: varchar(50)}
        - {name: end_terminal, type: varchar(50)}
        - {name: status, values: [planned, running, done, cancelled], default: planned}
        - cancelled_at
    - name: tickets
      attributes:
        - trip_id
        - {name: seat_number, type: varchar(5)}
        - {name: status, values: [held, paid, cancelled], default: held}
        - {name: price, type: "numeric(8,2)"}
        - {name: fee, type: "numeric(8,2)"}
        - {name: total, type: "numeric(8,2)"}
        - {name: luggage_kg, type: "numeric(5,1)"}
        - {name: boarding_at, type: timestamptz}
    - name: reviews
      attributes: [trip_id, {name: score, type: int}]
  relationships:
    - {from: trips, to: coaches, type: many_to_one, foreign_key: coach_id}
    - {from: tickets, to: trips, type: many_to_one, foreign_key: trip_id}
    - {from: reviews, to: trips, type: many_to_one, foreign_key: trip_id}
  business_rules:
    - {name: terminals_differ, entity: trips, description: "A trip can't start and end at the same terminal"}
    - {name: no_double_coach, description: "The same coach can't be used for two trips that overlap in time, cancelled trips don't count"}
    - {name: seat_once, description: "A seat can only be sold once per trip unless the ticket was cancelled"}
    - {name: cancel_time, entity: trips, description: "A cancelled trip must have cancelled_at filled in"}
    - {name: price_positive, entity: tickets, description: "Ticket price must be greater than zero"}
    - {name: luggage_limit, entity: tickets, description: "Luggage must be between 1 and 30 kilograms"}
    - {name: score_range, entity: reviews, description: "Review score is from 1 to 5"}
    - {name: one_review, description: "Each trip gets only one review"}
    - {name: trip_flow, entity: trips, description: "Trip status: planned -> running -> done; planned or running can become cancelled"}
    - {name: ticket_total, entity: tickets, description: "total = price + fee"}
    - {name: boarding_before_departure, description: "A ticket's boarding_at can't be later than the departs_at of its trip"}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "coach.yaml"
    path.write_text(textwrap.dedent(SPEC))
    return path


def test_every_rule_is_compiled_into_the_expected_object(spec: Path, monkeypatch):
    monkeypatch.setenv("SCHEMAWRIGHT_CHECK_DSN", "off")
    _, schema = design_schema(spec)
    missed = [i.subject for i in schema.inferences if i.rule == "rule.not_understood"]
    assert missed == []
    checks = {c.name: c.expression.sql for t in schema.tables for c in t.checks}
    assert checks["chk_trips_terminals_differ"] == "start_terminal <> end_terminal"
    assert checks["chk_trips_cancel_time"] == "status IS DISTINCT FROM 'cancelled' OR cancelled_at IS NOT NULL"
    assert checks["chk_tickets_price_positive"] == "price > 0"
    assert checks["chk_tickets_luggage_limit"] == "luggage_kg BETWEEN 1 AND 30"
    assert checks["chk_reviews_score_range"] == "score BETWEEN 1 AND 5"
    assert checks["chk_tickets_ticket_total"] == "total = price + fee"
    (excl,) = schema.table("trips").exclusions
    assert excl.where.sql == "status IS DISTINCT FROM 'cancelled'" and excl.elements[0].column == "coach_id"
    seat = next(ix for ix in schema.table("tickets").indexes if ix.unique and ix.where is not None)
    assert [e.column for e in seat.elements] == ["trip_id", "seat_number"]
    assert ("trip_id",) in [u.columns for u in schema.table("reviews").uniques]
    assert any(t.name == "trg_trips_status_transition" for t in schema.table("trips").triggers)
    assert any(t.name == "trg_tickets_boarding_before_departure" for t in schema.table("tickets").triggers)


def test_postgresql_refuses_what_the_rules_forbid(spec: Path, tmp_path: Path, server_for):
    out = tmp_path / "out"
    result = design_project(spec, out)
    dsn = server_for(result.schema.extensions)
    report = verify_project(out, dsn=dsn)
    assert report.passed, [f"{s.name}: {s.detail}" for s in report.steps if not s.ok]
    with scratch_database(dsn) as db:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute((out / "migrations" / "V001__initial_schema.sql").read_text().encode())
            coach = conn.execute("INSERT INTO coaches (name) VALUES ('c1') RETURNING id").fetchone()[0]
            trip = "INSERT INTO trips (coach_id, departs_at, arrives_at, status) VALUES (%s, %s, %s, %s) RETURNING id"
            t1 = conn.execute(trip, [coach, "2026-01-01 08:00Z", "2026-01-01 12:00Z", "planned"]).fetchone()[0]
            with pytest.raises(psycopg.errors.ExclusionViolation):
                conn.execute(trip, [coach, "2026-01-01 11:00Z", "2026-01-01 13:00Z", "planned"])
            with pytest.raises(psycopg.errors.CheckViolation):  # a cancelled trip needs cancelled_at
                conn.execute(trip, [coach, "2026-01-01 11:00Z", "2026-01-01 13:00Z", "cancelled"])
            conn.execute("INSERT INTO trips (coach_id, departs_at, arrives_at, status, cancelled_at) "
                         "VALUES (%s, '2026-01-01 11:00Z', '2026-01-01 13:00Z', 'cancelled', now())", [coach])
            with pytest.raises(psycopg.errors.CheckViolation):
                conn.execute("UPDATE trips SET start_terminal = 'A', end_terminal = 'A' WHERE id = %s", [t1])
            with pytest.raises(psycopg.errors.CheckViolation):  # planned -> done skips running
                conn.execute("UPDATE trips SET status = 'done' WHERE id = %s", [t1])
            ticket = ("INSERT INTO tickets (trip_id, seat_number, status, price, fee, total, luggage_kg) "
                      "VALUES (%s, %s, %s, %s, %s, %s, %s)")
            conn.execute(ticket, [t1, "12A", "paid", 10, 1, 11, 5])
            with pytest.raises(psycopg.errors.UniqueViolation):
                conn.execute(ticket, [t1, "12A", "held", 10, 1, 11, 5])
            conn.execute(ticket, [t1, "12B", "cancelled", 10, 1, 11, 5])
            conn.execute(ticket, [t1, "12B", "paid", 10, 1, 11, 5])  # the cancelled one does not count
            for bad in ([t1, "1C", "paid", 0, 1, 1, 5], [t1, "1D", "paid", 10, 1, 12, 5], [t1, "1E", "paid", 10, 1, 11, 31]):
                with pytest.raises(psycopg.errors.CheckViolation):
                    conn.execute(ticket, bad)
            review = "INSERT INTO reviews (trip_id, score) VALUES (%s, %s)"
            with pytest.raises(psycopg.errors.CheckViolation):
                conn.execute(review, [t1, 6])
            conn.execute(review, [t1, 5])
            with pytest.raises(psycopg.errors.UniqueViolation):
                conn.execute(review, [t1, 4])
            with pytest.raises(psycopg.errors.CheckViolation):  # deferred: refused at commit
                conn.execute("INSERT INTO tickets (trip_id, price, fee, total, boarding_at) "
                             "VALUES (%s, 1, 0, 1, '2026-01-01 09:00Z')", [t1])


def test_no_guess_without_a_column(tmp_path: Path, monkeypatch):
    """A noun that names no column leaves the rule not understood (and 'once issued, cannot be changed' never
    makes the whole table append-only)."""
    monkeypatch.setenv("SCHEMAWRIGHT_CHECK_DSN", "off")
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent("""
        data_model:
          entities:
            - name: invoices
              attributes: [{name: status, values: [draft, issued, paid]}, {name: total, type: "numeric(10,2)"}]
          business_rules:
            - {name: a, entity: invoices, description: "Invoice weight must be between 1 and 5 kilograms"}
            - {name: b, entity: invoices, description: "Once an invoice is issued it can't be changed anymore"}
            - {name: c, entity: invoices, description: "An invoice can't have the same colour twice"}
        """))
    _, schema = design_schema(path)
    assert sorted(i.subject for i in schema.inferences if i.rule == "rule.not_understood") == ["a", "b", "c"]
    assert not schema.table("invoices").triggers or all("immutable" not in t.name for t in schema.table("invoices").triggers)


def test_input_keys_a_new_user_writes(tmp_path: Path, monkeypatch):
    """A project type of one's own domain, free-text security notes and queries under performance_targets
    are accepted (a typo of a known type is still an error); a problem in a moved query keeps its line."""
    monkeypatch.setenv("SCHEMAWRIGHT_CHECK_DSN", "off")
    path = tmp_path / "s.yaml"
    body = """
        project: {name: p, type: %s}
        data_model:
          entities: [{name: things, attributes: [{name: code, type: varchar(10)}, {name: seen, type: datetime}]}]
        performance_targets:
          concurrent_users: 5
          query_patterns:
            - {name: q, sql: "SELECT * FROM things WHERE code = $1", frequency: %s}
        security_requirements: {notes: "Only staff see things"}
        """
    path.write_text(textwrap.dedent(body % ("transport", "high")))
    spec, schema = design_schema(path)
    assert spec.project.type == "other" and spec.project.domain == "transport"
    assert [q.name for q in spec.query_patterns] == ["q"]
    assert any(i.rule == "warning.security_notes" for i in schema.inferences)
    assert str(schema.table("things").column("seen").type) == "timestamptz"  # datetime: a point in time
    path.write_text(textwrap.dedent(body % ("webapp", "often")))
    with pytest.raises(SpecError) as info:
        design_schema(path)
    text = str(info.value)
    assert "project.type" in text and "web_app" in text
    assert f"{path}:8:" in text and "frequency" in text  # the moved query's problem, at its own line
