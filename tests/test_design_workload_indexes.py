"""The designer indexes the query shapes of the workload schemawright generates (analysis/workload.py,
which bench runs): right after `design`, the index advisor (HypoPG's planner costs, then EXPLAIN ANALYZE
on seeded rows) finds nothing left to add for bench's read workload (but the generated 30-day reports, which
a scan serves within their target of seconds: the designer indexes from reasons, not for every read).
Oracle: PostgreSQL's planner."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from schemawright.advise.advisor import advise
from schemawright.api import design_project, design_schema, seed
from schemawright.bench.patterns import generated_patterns, input_patterns
from schemawright.db import connect, scratch_database

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_seed_example_gets_indexes_with_reasons_only():
    schema = design_schema(EXAMPLES / "ecommerce.json")[1]
    products = schema.table("products")
    # rows by category / vendor: the foreign keys' own indexes; no (fk, created_at) composite and no bare
    # created_at index, since neither the query patterns nor the acceptance criteria sort by creation time
    assert ("category_id",) in [i.columns for i in products.indexes]
    assert not any("created_at" in i.columns for t in schema.tables for i in t.indexes)
    ix = next(i for i in products.indexes if i.columns == ("category_id",))
    assert ix.origin.rule == "index.foreign_key" and "categories" in ix.comment
    for table in schema.tables:
        for index in table.indexes:  # every index says why it exists
            assert index.origin.rule or index.origin.path, (table.name, index.name)


def test_conventions_off_adds_no_workload_index(tmp_path):
    spec = json.loads((EXAMPLES / "ecommerce.json").read_text(encoding="utf-8"))
    spec.setdefault("conventions", {})["index_workload"] = False
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    schema = design_schema(path)[1]
    assert not any(i.origin.rule == "index.workload_shape" for t in schema.tables for i in t.indexes)
    assert any(i.rule == "conventions.index_workload" for i in schema.inferences)


def _workload(conn, source_schema, plan) -> list[tuple[str, float]]:
    """bench's read patterns, each with its first sampled parameters bound as literals."""
    out = []
    cur = psycopg.ClientCursor(conn)
    for p in generated_patterns(conn, source_schema, plan) + input_patterns(conn, source_schema):
        if p.writes or not p.params or (p.category == "report" and p.source == "generated"):
            continue  # the generated 30-day report meets its target (seconds) by a scan: not indexed on purpose
        for statement in p.statements:
            out.append((cur.mogrify(statement, p.params[0]) if p.params[0] else statement.replace("%%", "%"),
                        p.frequency))
    return out


@pytest.mark.parametrize("example", ["ecommerce.json", "blog_cms.json"])
def test_advise_right_after_design_finds_nothing_to_add(tmp_path: Path, pg15_dsn: str, example: str):
    out = tmp_path / "out"
    design_project(EXAMPLES / example, out)
    with scratch_database(pg15_dsn, prefix="sw_wlix") as dsn:
        with connect(dsn, autocommit=True) as conn:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
            except psycopg.Error as exc:
                pytest.skip(f"HypoPG is not installed on {pg15_dsn}: {exc.diag.message_primary}")
        # a scale where indexes matter: the large tables hold 20k-100k rows
        seeded = seed(out, dsn, scale=0.002, max_rows=100_000)
        with connect(dsn, autocommit=True) as conn:
            conn.execute("ANALYZE")
            workload = _workload(conn, seeded.source.schema, seeded.plan)
            assert len(workload) > 10
            advice = advise(conn, workload, use_hypopg=True)
        assert advice.mode == "hypopg"
        unexplained = [q.query for q in advice.queries if q.cost_before is None]
        assert unexplained == []
        assert advice.indexes == [], [(ix["statement"], ix.get("queries")) for ix in advice.indexes]
