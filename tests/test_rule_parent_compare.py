"""Rules comparing a column with a column of the row it references (design/rules/parent_compare.py): "the insured
value of a loan is at least the object's valuation", "a dose is administered within the window of its visit", "an
appeal must be filed within 21 days of the citation being issued".
Deferred constraint triggers on both tables refuse, at commit, a child row on the wrong side and a parent change
that puts existing children on the wrong side; rows on the right side (a dose on the window's last day) commit.
Real PostgreSQL."""

from __future__ import annotations

import textwrap

import psycopg
import pytest

from schemawright.api import design_project
from schemawright.db import scratch_database

SPEC = """\
project: {name: parent-compare, type: api, database_type: postgresql, scale: small, environment: development}
task: {type: schema_design, priority: low, description: rules over a referenced row, requirements: [],
       acceptance_criteria: []}
data_model:
  entities:
    - name: objects
      attributes: [{name: title, type: varchar(100)}, {name: valuation, type: "numeric(14,2)"}]
    - name: loans
      attributes: [object_id, {name: insured_value, type: "numeric(14,2)"}]
    - name: visits
      attributes: [{name: window_start, type: date}, {name: window_end, type: date}]
    - name: dose_administrations
      attributes: [visit_id, {name: administered_at, type: timestamptz}]
    - name: citations
      attributes: [{name: issued_at, type: timestamptz}]
    - name: appeals
      attributes: [citation_id, {name: filed_at, type: timestamptz}]
  relationships:
    - {from: loans, to: objects, type: many_to_one, foreign_key: object_id}
    - {from: dose_administrations, to: visits, type: many_to_one, foreign_key: visit_id}
    - {from: appeals, to: citations, type: many_to_one, foreign_key: citation_id}
  business_rules:
    - {name: insured_enough, entity: loans, description: "The insured value of a loan is at least the object's valuation"}
    - {name: dose_in_window, entity: dose_administrations, description: A dose is administered within the window of its visit}
    - {name: appeal_window, entity: appeals, description: An appeal must be filed within 21 days of the citation being issued}
security_requirements: {data_classification: internal, compliance_standards: [], access_control: role_based}
"""


@pytest.fixture
def db(pg15_dsn, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(SPEC))
    result = design_project(spec, tmp_path / "out")
    migration = (tmp_path / "out" / "migrations" / "V001__initial_schema.sql").read_text()
    with scratch_database(pg15_dsn, "sw_parent_cmp") as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(migration.encode())
        yield result, conn


def _commit(conn, statements) -> str | None:
    """None when the statements commit, else the SQLSTATE that refused them."""
    try:
        with conn.transaction():
            for statement, params in statements:
                conn.execute(statement, params)
    except psycopg.Error as exc:
        return exc.diag.sqlstate
    return None


def test_both_rules_are_enforced_by_the_catalog(db):
    result, _ = db
    names = ("insured_enough", "dose_in_window", "appeal_window")
    decided = {i.subject: i for i in result.schema.inferences if i.subject in names}
    assert [decided[n].rule for n in names] == ["rule.parent_compare"] * 3


def test_an_insured_value_below_the_valuation_is_refused(db):
    _, conn = db
    obj = conn.execute("INSERT INTO objects (title, valuation) VALUES ('Vase', 1000) RETURNING id").fetchone()[0]
    assert _commit(conn, [("INSERT INTO loans (object_id, insured_value) VALUES (%s, 999.99)", (obj,))]) == "23514"
    assert _commit(conn, [("INSERT INTO loans (object_id, insured_value) VALUES (%s, 1000)", (obj,))]) is None
    # raising the valuation above an existing loan's insured value is refused on the referenced table
    assert _commit(conn, [("UPDATE objects SET valuation = 1500 WHERE id = %s", (obj,))]) == "23514"
    # both changed in one transaction: checked at commit, accepted
    assert _commit(conn, [("UPDATE objects SET valuation = 1500 WHERE id = %s", (obj,)),
                          ("UPDATE loans SET insured_value = 1500 WHERE object_id = %s", (obj,))]) is None


def test_a_dose_outside_its_visit_window_is_refused_and_the_last_day_is_inside(db):
    _, conn = db
    visit = conn.execute("INSERT INTO visits (window_start, window_end) VALUES ('2025-03-01', '2025-03-05') "
                         "RETURNING id").fetchone()[0]
    add = "INSERT INTO dose_administrations (visit_id, administered_at) VALUES (%s, %s)"
    assert _commit(conn, [(add, (visit, "2025-02-28 23:00+00"))]) == "23514"
    assert _commit(conn, [(add, (visit, "2025-03-06 08:00+00"))]) == "23514"
    conn.execute("SET TIME ZONE 'UTC'")
    assert _commit(conn, [(add, (visit, "2025-03-05 18:30+00"))]) is None  # the window's last day
    assert _commit(conn, [(add, (visit, "2025-03-01 00:00+00"))]) is None
    assert _commit(conn, [("UPDATE visits SET window_end = '2025-03-04' WHERE id = %s", (visit,))]) == "23514"


def test_an_appeal_filed_more_than_21_days_after_the_citation_is_refused(db):
    _, conn = db
    citation = conn.execute("INSERT INTO citations (issued_at) VALUES ('2025-03-01 10:00+00') RETURNING id").fetchone()[0]
    add = "INSERT INTO appeals (citation_id, filed_at) VALUES (%s, %s)"
    assert _commit(conn, [(add, (citation, "2025-03-22 10:00:01+00"))]) == "23514"  # a second past 21 days
    assert _commit(conn, [(add, (citation, "2025-03-01 09:59+00"))]) == "23514"  # before the citation
    assert _commit(conn, [(add, (citation, "2025-03-22 10:00+00"))]) is None  # on the last moment
    # moving the citation so that the appeal is out of its window is refused on the citation
    assert _commit(conn, [("UPDATE citations SET issued_at = '2025-02-01 10:00+00' WHERE id = %s", (citation,))]) \
        == "23514"
