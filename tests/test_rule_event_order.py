"""A date compared with the date of the referenced row ("a unit expires after it is collected", blood_bank.yaml
expiry_after_donation: blood_units.expires_on > donations.donated_on, 'collected' being a status of the
donation): deferred constraint triggers PostgreSQL runs at commit; seed loads rows that hold it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project, design_schema
from schemawright.db import scratch_database
from schemawright.design.rules import event_order
from schemawright.design.rules.base import normalise
from schemawright.seed.run import seed

ROOT = Path(__file__).resolve().parents[1]
BLOOD = ROOT / "tests" / "inputs" / "blood_bank.yaml"


def test_phrasing():
    m = event_order.FORM.fullmatch(normalise("A unit expires after it is collected."))
    assert m and m.group("verb") == "expires" and m.group("part") == "collected"
    assert event_order.FORM.fullmatch(normalise("A ticket closes on or after it is opened"))


def test_compiled():
    _, schema = design_schema(BLOOD)
    assert any(i.subject == "expiry_after_donation" and i.rule == "rule.event_order" for i in schema.inferences)
    ev = schema.facts.ordered_after_parent
    assert [(e.table, e.column, e.op, e.parent, e.parent_column) for e in ev] == [
        ("blood_units", "expires_on", ">", "donations", "donated_on")]


def test_seeded_and_attacked(tmp_path: Path, pg15_dsn: str):
    with scratch_database(pg15_dsn) as dsn:  # the input encrypts a column: pgcrypto
        _seeded_and_attacked(tmp_path, dsn)


def _seeded_and_attacked(tmp_path: Path, scratch_dsn: str):
    out = tmp_path / "out"
    design_project(BLOOD, out)
    seed(out, scratch_dsn, scale=0.001, max_rows=20_000)
    with psycopg.connect(scratch_dsn) as conn:
        n, bad = conn.execute("SELECT count(*), count(*) FILTER (WHERE u.expires_on <= d.donated_on) FROM blood_units u "
                              "JOIN donations d ON d.id = u.donation_id").fetchone()
        assert n > 0 and bad == 0
        unit, donation = conn.execute("SELECT u.id, u.donation_id FROM blood_units u JOIN donations d ON "
                                      "d.id = u.donation_id WHERE d.donated_on IS NOT NULL AND u.expires_on IS NOT NULL "
                                      "LIMIT 1").fetchone()
    with pytest.raises(psycopg.errors.CheckViolation) as exc, psycopg.connect(scratch_dsn) as conn:
        conn.execute("UPDATE blood_units u SET expires_on = d.donated_on FROM donations d "
                     "WHERE d.id = u.donation_id AND u.id = %s", [unit])
    assert exc.value.diag.constraint_name == "trg_blood_units_expiry_after_donation"
    with pytest.raises(psycopg.errors.CheckViolation) as exc, psycopg.connect(scratch_dsn) as conn:
        conn.execute("UPDATE donations d SET donated_on = u.expires_on + 1 FROM blood_units u "
                     "WHERE u.donation_id = d.id AND u.id = %s", [unit])
    assert exc.value.diag.constraint_name == "trg_donations_expiry_after_donation"
    with psycopg.connect(scratch_dsn) as conn:  # a later expiry: accepted at commit
        conn.execute("UPDATE blood_units u SET expires_on = d.donated_on + 35 FROM donations d "
                     "WHERE d.id = u.donation_id AND u.id = %s", [unit])
