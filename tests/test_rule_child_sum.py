"""A parent's column equals the sum of its children's column ("the sum of amount of invoice_lines equals the
subtotal of the invoice", tests/inputs/saas_billing.yaml lines_sum): deferred constraint triggers on both
tables, checked by PostgreSQL at commit; seed loads data where it holds together with the CHECK
total = subtotal + tax_amount."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project, design_schema
from schemawright.db import scratch_database
from schemawright.seed.run import seed

ROOT = Path(__file__).resolve().parents[1]
BILLING = ROOT / "tests" / "inputs" / "saas_billing.yaml"


def test_lines_sum_is_compiled():
    _, schema = design_schema(BILLING)
    decided = {i.subject: i for i in schema.inferences if i.rule == "rule.child_sum"}
    assert "lines_sum" in decided
    assert [c.parent for c in schema.facts.child_sums] == ["invoices"]
    for table in ("invoices", "invoice_lines"):
        trg = [t for t in schema.table(table).triggers if t.name == f"trg_{table}_lines_sum"]
        assert trg and trg[0].constraint and trg[0].initially_deferred


def test_seeded_sums_hold_and_the_triggers_refuse_a_wrong_sum(tmp_path: Path, server_for):
    out = tmp_path / "out"
    result = design_project(BILLING, out)
    # tax_id is encrypted (encryption_requirements.column_level): a server with pgcrypto
    with scratch_database(server_for(result.schema.extensions)) as scratch_dsn:
        _seeded_sums_hold(out, scratch_dsn)


def _seeded_sums_hold(out: Path, scratch_dsn: str) -> None:
    seed(out, scratch_dsn, scale=0.001, max_rows=20_000)
    with psycopg.connect(scratch_dsn) as conn:
        n, bad, lines = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE i.subtotal <> coalesce(s.total, 0) "
            "OR i.total <> i.subtotal + i.tax_amount), sum(s.n) FROM invoices i LEFT JOIN (SELECT invoice_id, "
            "sum(amount) AS total, count(*) AS n FROM invoice_lines GROUP BY invoice_id) s ON s.invoice_id = i.id"
        ).fetchone()
        assert n > 0 and lines > 0 and bad == 0
        inv, qty, unit = conn.execute(
            "SELECT l.invoice_id, l.quantity, l.unit_amount FROM invoice_lines l LIMIT 1").fetchone()
    cols = "invoice_id, line_number, quantity, unit_amount, amount"

    def run(*statements):
        with psycopg.connect(scratch_dsn) as conn:  # commits at the end of the block: the deferred check runs
            for s in statements:
                conn.execute(s, [inv] if "%s" in s else None)

    # refused: a line added without the invoice's subtotal following (checked at commit)
    with pytest.raises(psycopg.errors.CheckViolation) as exc:
        run(f"INSERT INTO invoice_lines ({cols}) VALUES (%s, 9001, {qty}, {unit}, 5.00)")
    assert exc.value.diag.constraint_name == "trg_invoice_lines_lines_sum"
    # refused: the subtotal changed alone (total follows, so only the sum rule is broken)
    with pytest.raises(psycopg.errors.CheckViolation) as exc:
        run("UPDATE invoices SET subtotal = subtotal + 1, total = total + 1 WHERE id = %s")
    assert exc.value.diag.constraint_name == "trg_invoices_lines_sum"
    # accepted: the line and the invoice's subtotal (and total) in one transaction
    run(f"INSERT INTO invoice_lines ({cols}) VALUES (%s, 9002, {qty}, {unit}, 5.00)",
        "UPDATE invoices SET subtotal = subtotal + 5, total = total + 5 WHERE id = %s")
    # accepted: deleting the line and lowering the subtotal together
    run("DELETE FROM invoice_lines WHERE invoice_id = %s AND line_number = 9002",
        "UPDATE invoices SET subtotal = subtotal - 5, total = total - 5 WHERE id = %s")
