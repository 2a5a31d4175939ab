"""Two references of a row that must share their scope, the scope column being on the referenced tables only
("The menu item belongs to the same merchant as the order" on order_items, delivery_marketplace.json; "The bin
belongs to the same warehouse as the pick list" on pick_list_lines, warehouse.yaml): deferred constraint
triggers that PostgreSQL runs at commit; seed loads rows that hold it."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemawright.api import design_project, design_schema
from schemawright.seed.run import seed

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "tests" / "inputs"


@pytest.mark.parametrize("name, rule", [("delivery_marketplace.json", "item_from_merchant"),
                                        ("warehouse.yaml", "pick_bin_in_warehouse")])
def test_compiled(name, rule):
    _, schema = design_schema(INPUTS / name)
    assert any(i.subject == rule and i.rule == "rule.same_parent" for i in schema.inferences)
    assert [s.table for s in schema.facts.same_scope] == [
        "order_items" if name.startswith("delivery") else "pick_list_lines"]


def test_seeded_and_attacked(tmp_path: Path, scratch_dsn: str):
    out = tmp_path / "out"
    design_project(INPUTS / "delivery_marketplace.json", out)
    seed(out, scratch_dsn, scale=0.001, max_rows=20_000)
    wrong = ("FROM order_items oi JOIN orders o ON o.id = oi.order_id JOIN menu_items m ON m.id = oi.menu_item_id "
             "WHERE m.merchant_id <> o.merchant_id")
    with psycopg.connect(scratch_dsn) as conn:
        n = conn.execute("SELECT count(*) FROM order_items").fetchone()[0]
        assert n > 0 and conn.execute(f"SELECT count(*) {wrong}").fetchone()[0] == 0
        line_id, order_id, merchant = conn.execute(
            "SELECT oi.id, oi.order_id, o.merchant_id FROM order_items oi JOIN orders o ON o.id = oi.order_id "
            "LIMIT 1").fetchone()
        foreign = conn.execute("SELECT id FROM menu_items WHERE merchant_id <> %s LIMIT 1", [merchant]).fetchone()
        own = conn.execute("SELECT id FROM menu_items WHERE merchant_id = %s LIMIT 1", [merchant]).fetchone()
    assert foreign and own
    with pytest.raises(psycopg.errors.CheckViolation) as exc, psycopg.connect(scratch_dsn) as conn:
        conn.execute("UPDATE order_items SET menu_item_id = %s WHERE id = %s", [foreign[0], line_id])
    assert exc.value.diag.constraint_name == "trg_order_items_item_from_merchant"
    with pytest.raises(psycopg.errors.CheckViolation) as exc, psycopg.connect(scratch_dsn) as conn:
        conn.execute("UPDATE orders SET merchant_id = (SELECT merchant_id FROM menu_items WHERE id = %s) "
                     "WHERE id = %s", [foreign[0], order_id])
    assert exc.value.diag.constraint_name == "trg_orders_item_from_merchant"
    with psycopg.connect(scratch_dsn) as conn:  # within the merchant: accepted at commit
        conn.execute("UPDATE order_items SET menu_item_id = %s WHERE id = %s", [own[0], line_id])


def test_a_valid_row_commits(scratch_dsn: str, tmp_path: Path):
    """The row factory (verify's valid rows) makes the menu item and the order of one merchant: committed,
    the deferred triggers accept it."""
    from schemawright.datagen.rows import RowFactory

    out = tmp_path / "out"
    result = design_project(INPUTS / "delivery_marketplace.json", out)
    migration = (out / "migrations" / "V001__initial_schema.sql").read_text()
    with psycopg.connect(scratch_dsn) as conn:
        conn.execute(migration.encode())
        conn.commit()
        f = RowFactory(conn, result.schema)
        table = result.schema.table("order_items")
        f.insert(table, f.valid_row(table))
    with psycopg.connect(scratch_dsn) as conn:  # committed above (the block's exit): the row is there
        assert conn.execute("SELECT count(*) FROM order_items").fetchone()[0] == 1
