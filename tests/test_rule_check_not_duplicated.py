"""A business rule that states a CHECK the designer inferred on its own ("fine_amount must not be negative" beside
the money lexicon's fine_amount >= 0) is one constraint, the rule's, not two identical ones (14 inputs had such a
pair; a DBA reading tests/inputs/parking_enforcement.yaml's citations saw chk_citations_fine_amount_non_negative
and chk_citations_fines_not_negative, both CHECK (fine_amount >= 0)). Read back from PostgreSQL's catalog."""

from __future__ import annotations

from pathlib import Path

import psycopg

from schemawright.api import design_schema
from schemawright.db import scratch_database
from schemawright.dialects import get_dialect

INPUTS = Path(__file__).resolve().parent / "inputs"


def test_a_rule_restating_an_inferred_check_leaves_one_constraint(pg_dsn):
    _, schema = design_schema(INPUTS / "library.yaml")
    with scratch_database(pg_dsn) as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        for st in get_dialect("postgresql").create_statements(schema):
            conn.execute(st.sql.encode())
        rows = conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                            "WHERE conrelid = 'loans'::regclass AND contype = 'c' "
                            "AND pg_get_constraintdef(oid) LIKE '%fine_amount%'").fetchall()
        comment = conn.execute("SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint "
                               "WHERE conname = 'chk_loans_fine_not_negative'").fetchone()
    assert rows == [("chk_loans_fine_not_negative", "CHECK ((fine_amount >= (0)::numeric))")], rows
    assert comment == ("fine_amount is not negative",)
