"""Exactly one of two columns ("A posting has either a debit or a credit, never both; amounts are not
negative", tests/inputs/ledger.yaml one_side): a CHECK that PostgreSQL enforces; seed loads postings that
hold it together with the deferred balanced-sums rule (debits equal credits per journal entry)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project, design_schema
from schemawright.design.rules import either_or
from schemawright.design.rules.base import normalise
from schemawright.seed.run import seed

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "tests" / "inputs" / "ledger.yaml"


def test_phrasings():
    assert either_or.FORM.fullmatch(normalise("A posting has either a debit or a credit, never both"))
    assert either_or.FORM.fullmatch(normalise("Each contact has either an email or a phone but not both"))
    assert not either_or.FORM.fullmatch(normalise("A posting has a debit or a credit"))


def test_one_side_is_compiled():
    _, schema = design_schema(LEDGER)
    assert any(i.subject == "one_side" and i.rule == "rule.either_or" for i in schema.inferences)
    checks = {c.name: c.expression.sql for c in schema.table("postings").checks}
    assert "num_nonnulls" in checks["chk_postings_one_side"]


def test_seeded_postings_hold_and_the_check_refuses_both_sides(tmp_path: Path, scratch_dsn: str):
    out = tmp_path / "out"
    design_project(LEDGER, out)
    seed(out, scratch_dsn, scale=0.001, max_rows=20_000)
    with psycopg.connect(scratch_dsn) as conn:
        n, both = conn.execute("SELECT count(*), count(*) FILTER (WHERE (debit <> 0) = (credit <> 0)) "
                               "FROM postings").fetchone()
        unbalanced = conn.execute("SELECT count(*) FROM (SELECT journal_entry_id FROM postings GROUP BY 1 "
                                  "HAVING sum(debit) <> sum(credit)) s").fetchone()[0]
        assert n > 0 and both == 0 and unbalanced == 0
        entry, account = conn.execute("SELECT journal_entry_id, account_id FROM postings LIMIT 1").fetchone()
    insert = ("INSERT INTO postings (journal_entry_id, account_id, line_number, debit, credit) "
              "VALUES (%s, %s, %s, %s, %s)")
    for debit, credit in (("5", "5"), ("0", "0"), ("-5", "0")):
        with pytest.raises(psycopg.errors.CheckViolation) as exc, psycopg.connect(scratch_dsn) as conn:
            conn.execute(insert, [entry, account, 9001, debit, credit])
        assert exc.value.diag.constraint_name.startswith("chk_postings_")
    with psycopg.connect(scratch_dsn) as conn:  # a balanced pair, one side each: accepted at commit
        conn.execute(insert, [entry, account, 9001, "5", "0"])
        conn.execute(insert, [entry, account, 9002, "0", "5"])
