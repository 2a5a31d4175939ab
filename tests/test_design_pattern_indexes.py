"""query_patterns feed the designer: indexes from each pattern's predicates, valid DDL, located errors."""

from __future__ import annotations

import pytest

from schemawright.api import design_project, design_schema
from schemawright.errors import SpecError
from schemawright.verify import verify_project

SPEC = """
project: {name: shop}
data_model:
  entities:
    - name: customers
      attributes: [email, name]
    - name: orders
      type: transactional
      attributes: [customer_id, total, status, placed_at]
query_patterns:
  - name: recent orders of a customer
    sql: "SELECT * FROM orders WHERE status = :status AND customer_id = :customer_id ORDER BY placed_at DESC LIMIT 20"
    frequency: 500
  - name: big orders
    sql: "SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > $1"
  - name: by id
    sql: "SELECT * FROM orders WHERE id = $1 AND status = 'paid'"
  - name: by name
    sql: "SELECT name, count(*) AS n FROM customers GROUP BY name ORDER BY n DESC"
  - name: active customers by email
    sql: "SELECT * FROM vw_active_customers WHERE email = :customers.email"
"""


def _design(tmp_path, text: str):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return design_schema(path)[1]


def _pattern_indexes(schema):
    return {(t.name, ix.columns) for t in schema.tables for ix in t.indexes if ix.origin.rule == "index.query_pattern"}


def test_patterns_add_indexes_with_inferences(tmp_path):
    schema = _design(tmp_path, SPEC)
    assert _pattern_indexes(schema) == {("orders", ("status", "customer_id", "placed_at")), ("orders", ("total",)),
                                        ("customers", ("name",))}
    orders = schema.table("orders")
    ix = next(i for i in orders.indexes if i.columns == ("status", "customer_id", "placed_at"))
    assert ix.origin.path == "query_patterns[0]"
    why = next(i for i in schema.inferences if i.rule == "index.query_pattern" and i.subject == f"orders.{ix.name}")
    assert "recent orders of a customer" in why.reason and "equality on status, customer_id" in why.reason
    assert "ORDER BY placed_at DESC" in why.reason
    # the join column is a foreign key: its own index serves it; the pattern's index does not replace it
    assert orders.index_leading(("customer_id",)) is not None
    # WHERE id = $1 finds one row through the primary key: no index for it
    assert not any(ix.columns[:1] == ("id",) for ix in orders.indexes)


def test_served_pattern_adds_nothing(tmp_path):
    schema = _design(tmp_path, SPEC.split("query_patterns:")[0] + """
  indexes:
    - {entity: orders, equality: [status, customer_id], range: [placed_at]}
query_patterns:
  - name: same as declared
    sql: "SELECT * FROM orders WHERE status = $1 AND customer_id = $2"
""")
    assert _pattern_indexes(schema) == set()
    assert [ix.columns for ix in schema.table("orders").indexes].count(("status", "customer_id", "placed_at")) == 1


@pytest.mark.parametrize("sql, message", [
    ("SELECT * FROM shipments WHERE id = $1", "unknown table shipments"),
    ("SELECT * FROM orders o WHERE o.colour = $1", "unknown column colour in orders"),
    ("SELECT * FROM orders WHERE colour = $1", "unknown column colour"),
    ("SELEC * FROM orders", "is not valid SQL"),
])
def test_bad_pattern_sql_is_a_located_spec_error(tmp_path, sql, message):
    text = SPEC.split("query_patterns:")[0] + f'query_patterns:\n  - name: bad\n    sql: "{sql}"\n'
    with pytest.raises(SpecError) as info:
        _design(tmp_path, text)
    problem = next(p for p in info.value.problems if p.path == "query_patterns[0].sql")
    assert message in problem.message and problem.line is not None


def test_pattern_indexes_verify_on_postgres(tmp_path, pg_dsn):
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    result = design_project(path, tmp_path / "out")
    assert _pattern_indexes(result.schema)
    report = verify_project(tmp_path / "out", dsn=pg_dsn)
    assert report.passed, {s.name: s.problems or [s.detail] for s in report.steps if not s.ok}


def test_mixed_sort_directions_are_kept(tmp_path):
    schema = _design(tmp_path, SPEC.split("query_patterns:")[0] + """
query_patterns:
  - name: board
    sql: "SELECT * FROM orders WHERE status = $1 ORDER BY status, placed_at DESC, total"
""")
    ix = next(i for i in schema.table("orders").indexes if i.origin.rule == "index.query_pattern")
    assert [(e.column, e.descending) for e in ix.elements] == [("status", False), ("placed_at", True),
                                                               ("total", False)]
