"""Normalization on textbook cases with known answers (Silberschatz, Korth, Sudarshan, *Database System
Concepts*, 6th ed., ch. 8; and the classic 2NF/3NF/BCNF examples), and the design step that reports the
normal form of each table from the input's functional_dependencies."""

from __future__ import annotations

import json

import pytest

from schemawright.analysis.normalization import (
    FD, bcnf_decompose, candidate_keys, closure, minimal_cover, normal_form, synthesize_3nf,
)
from schemawright.api import design_schema
from schemawright.errors import SpecError


def fds(*pairs):
    return [FD.of(lhs, rhs) for lhs, rhs in pairs]


def keys(*names):
    return [frozenset(k.split()) for k in names]


# Silberschatz 8.3.2/8.4: R = (A, B, C, G, H, I), F = {A->B, A->C, CG->H, CG->I, B->H}
SILBERSCHATZ = ("A B C G H I", fds(("A", "B"), ("A", "C"), ("C G", "H"), ("C G", "I"), ("B", "H")))


def test_attribute_closure():
    relation, f = SILBERSCHATZ
    assert closure({"A", "G"}, f) == frozenset(relation.split())  # (AG)+ = ABCGHI: AG is a superkey
    assert closure({"A"}, f) == frozenset("A B C H".split())


def test_candidate_keys():
    relation, f = SILBERSCHATZ
    assert candidate_keys(relation.split(), f) == keys("A G")
    # R = (A, B, C, D, E), F = {A->BC, CD->E, B->D, E->A}: keys A, E, BC, CD (Silberschatz exercise 8.x)
    f2 = fds(("A", "B C"), ("C D", "E"), ("B", "D"), ("E", "A"))
    assert candidate_keys("A B C D E".split(), f2) == keys("A", "E", "B C", "C D")


def test_minimal_cover():
    # F = {A->BC, B->C, A->B, AB->C}: canonical cover {A->B, B->C} (Silberschatz 8.4.3)
    cover = minimal_cover(fds(("A", "B C"), ("B", "C"), ("A", "B"), ("A B", "C")))
    assert sorted(map(str, cover)) == ["A -> B", "B -> C"]


@pytest.mark.parametrize("relation, f, form, violation", [
    ("A B C D", fds(("A B", "C D")), "BCNF", None),
    ("A B C D", fds(("A B", "D"), ("A", "C")), "1NF", "A -> C"),            # partial dependency on the key AB
    ("A B C D", fds(("A B", "C"), ("C", "D")), "2NF", "C -> D"),            # transitive dependency
    ("A B C", fds(("A B", "C"), ("C", "B")), "3NF", "C -> B"),              # C->B, B prime: 3NF, not BCNF
    # employee(emp, dept, dept_head): emp->dept, dept->dept_head: 2NF, not 3NF
    ("emp dept dept_head", fds(("emp", "dept"), ("dept", "dept_head")), "2NF", "dept -> dept_head"),
])
def test_normal_form(relation, f, form, violation):
    result = normal_form(relation.split(), f)
    assert result.form == form
    assert (str(result.violation) if result.violation else None) == violation


def test_bernstein_3nf_synthesis():
    # cust_banker_branch (Silberschatz 8.5.2): the synthesis gives two schemas, both in 3NF
    relation = "customer_id employee_id branch_name type".split()
    f = fds(("customer_id employee_id", "branch_name type"), ("employee_id", "branch_name"),
            ("customer_id branch_name", "employee_id"))
    schemas = synthesize_3nf(relation, f)
    assert sorted(sorted(s) for s in schemas) == [["branch_name", "customer_id", "employee_id"],
                                                  ["customer_id", "employee_id", "type"]]
    # a key is added when no group holds one: R(A, B, C), F = {A->B}: (A, B) and the key (A, C)
    assert sorted(sorted(s) for s in synthesize_3nf("A B C".split(), fds(("A", "B")))) == [["A", "B"], ["A", "C"]]


def test_bcnf_decomposition_is_lossless_and_in_bcnf():
    relation = "A B C".split()
    f = fds(("A B", "C"), ("C", "B"))
    parts = bcnf_decompose(relation, f)
    assert sorted(sorted(p) for p, _ in parts) == [["A", "C"], ["B", "C"]]
    assert any(str(why) == "C -> B" for _, why in parts)
    # class(course, title, dept, building): course->title dept, dept->building
    parts = bcnf_decompose("course title dept building".split(), fds(("course", "title dept"), ("dept", "building")))
    assert sorted(sorted(p) for p, _ in parts) == [["building", "dept"], ["course", "dept", "title"]]


def _spec(tmp_path, fd_list):
    data = {"project": {"name": "n"}, "data_model": {
        "entities": [{"name": "employees", "primary_key": ["emp_no"], "attributes": [
            {"name": "emp_no", "type": "integer"}, {"name": "dept_code", "type": "text"},
            {"name": "dept_name", "type": "text"}, {"name": "full_name", "type": "text"}]}],
        "functional_dependencies": fd_list}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data))
    return path


def test_design_reports_the_normal_form_and_the_split(tmp_path):
    _, schema = design_schema(_spec(tmp_path, [{"entity": "employees", "determinant": ["dept_code"],
                                                "dependent": ["dept_name"]}]))
    found = {i.rule: i for i in schema.inferences if i.subject == "employees" and i.rule.startswith("normalization")}
    assert found["normalization.normal_form"].decision.startswith("2NF")
    assert "dept_code -> dept_name" in found["normalization.normal_form"].reason
    assert "dept_code, dept_name" in found["normalization.synthesis"].decision


def test_functional_dependency_on_an_unknown_column_is_located(tmp_path):
    with pytest.raises(SpecError) as err:
        design_schema(_spec(tmp_path, [{"entity": "employees", "determinant": ["nope"], "dependent": ["dept_name"]}]))
    assert "functional_dependencies[0]" in str(err.value) and "nope" in str(err.value)


def test_import_profile_mines_dependencies_and_the_design_reports_them(tmp_path, scratch_dsn):
    """import DSN --profile: the data (PostgreSQL) is the oracle of what holds; the designed import then
    reports the table's normal form with the mined dependency."""
    import os
    import subprocess
    import sys

    import psycopg

    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE order_lines (id integer PRIMARY KEY, customer_code text NOT NULL, "
                     "customer_name text NOT NULL, product text NOT NULL, quantity integer NOT NULL)")
        conn.execute("INSERT INTO order_lines SELECT i, 'C' || (i % 7), 'Customer ' || (i % 7), "
                     "'P' || (i % 11), 1 + i % 5 FROM generate_series(1, 200) AS i")
    out = tmp_path / "imported.yaml"
    env = {**os.environ, "SCHEMAWRIGHT_HOME": str(tmp_path / "home")}
    run = subprocess.run([sys.executable, "-m", "schemawright", "import", scratch_dsn, "-o", str(out), "--profile"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    import yaml

    fds_found = yaml.safe_load(out.read_text())["data_model"]["functional_dependencies"]
    by_determinant = {tuple(f["determinant"]): set(f["dependent"]) for f in fds_found}
    assert by_determinant[("customer_code",)] == {"customer_name"}  # and not product or quantity
    assert by_determinant[("customer_name",)] == {"customer_code"}
    assert ("product",) not in by_determinant and ("quantity",) not in by_determinant
    _, schema = design_schema(out)
    nf = next(i for i in schema.inferences if i.rule == "normalization.normal_form" and i.subject == "order_lines")
    assert nf.decision == "2NF, not 3NF" and "customer" in nf.reason


def test_read_patterns_that_aggregate_get_denormalization_suggestions_with_their_write_cost(tmp_path):
    """Per foreign key: a summary column on the parent, costed in extra parent-row updates from the declared write
    rate; otherwise a materialized view, costed in staleness and refresh reads. Suggested, never applied."""
    data = {"project": {"name": "shop"},
            "data_model": {"entities": [
                {"name": "products", "attributes": [{"name": "name", "type": "text"}], "estimated_rows": 10000},
                {"name": "reviews", "attributes": [{"name": "product_id", "type": "uuid", "references": "products"},
                                                   {"name": "rating", "type": "integer"},
                                                   {"name": "status", "type": "text"}],
                 "estimated_rows": 990000}]},
            "performance_targets": {"write_operations_per_second": 100},
            "query_patterns": [
                {"name": "product_rating", "frequency": 500,
                 "sql": "SELECT product_id, avg(rating), count(*) FROM reviews WHERE product_id = $1 GROUP BY product_id"},
                {"name": "reviews_by_status", "sql": "SELECT status, count(*) FROM reviews GROUP BY status"},
                {"name": "plain", "sql": "SELECT * FROM reviews WHERE product_id = $1"}]}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data))
    _, schema = design_schema(path)
    found = {i.subject: i for i in schema.inferences if i.rule == "normalization.denormalization"}
    assert set(found) == {"product_rating", "reviews_by_status"}
    summary = found["product_rating"]
    assert "products.reviews_avg" in summary.decision and "products.reviews_count" in summary.decision
    assert "99.0 extra parent-row updates/s" in summary.reason  # 100 writes/s x 99% of the rows
    view = found["reviews_by_status"]
    assert "materialized view" in view.decision and "by status" in view.decision
    assert "990,000 rows" in view.reason
    assert not any(v.materialized for v in schema.views) and not schema.table("products").has_column("reviews_count")
