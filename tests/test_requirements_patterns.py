"""Requirements to entities: the domain patterns (design/patterns/*.yaml) applied to task.requirements.

The seed example's requirements bring vendors, product variants, order items, reviews, inventory, payments
and reporting views, each traceable to its requirement; PostgreSQL itself is the oracle of what the added
constraints enforce (a rating of 6, a second review, negative stock and a card-less duplicate payment are
refused; the reporting views refresh CONCURRENTLY), and verify passes on the whole design.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import psycopg
import pytest
import yaml
from shared_inputs import input_group, per_input

from schemawright.api import design_project, design_schema
from schemawright.design.requirements import catalog
from schemawright.render.agent_output import requirements_section

ROOT = Path(__file__).resolve().parent.parent
ECOMMERCE = ROOT / "examples" / "ecommerce.json"
INPUTS = sorted([*(ROOT / "tests" / "inputs").iterdir(), *(ROOT / "examples").iterdir()])
REQUIRED_PATTERNS = {"marketplace", "product_variants", "reviews", "inventory", "payments", "orders", "preferences",
                     "addresses", "reporting", "multi_tenancy", "auth", "tags", "comments", "attachments",
                     "notifications", "bookings", "ledger", "subscriptions", "audit_trail", "soft_delete"}


def _write(tmp_path: Path, data: dict, name: str = "spec.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_catalog_holds_every_pattern_the_issue_asks_for():
    patterns = {p.name: p for p in catalog()}
    assert REQUIRED_PATTERNS <= set(patterns)
    for p in patterns.values():
        assert p.triggers and len(p.why) > 40, p.name
        assert p.entities or p.views or p.settings, p.name


def test_docs_list_every_pattern():
    """docs/requirements.md is generated from the catalog (scripts/requirements_report.py --catalog)."""
    import runpy

    doc = runpy.run_path(str(ROOT / "scripts" / "requirements_report.py"))["catalog_doc"]()
    assert (ROOT / "docs" / "requirements.md").read_text() == doc, "regenerate docs/requirements.md"


def test_seed_example_gains_the_entities_each_traceable_to_its_requirement():
    spec, schema = design_schema(ECOMMERCE)
    tables = {t.name: t for t in schema.tables}
    for name in ("vendors", "categories", "product_variants", "order_items", "reviews", "inventory_levels",
                 "payments"):
        assert name in tables, name
    reqs = spec.task.requirements
    expected = {"vendors": reqs[0], "inventory_levels": reqs[1], "order_items": reqs[2], "reviews": reqs[3],
                "payments": reqs[4]}
    for table, requirement in expected.items():
        origin = tables[table].origin
        assert origin.rule.startswith("pattern.") and origin.path.startswith("task.requirements[")
        index = int(origin.path.split("[")[1].rstrip("]"))
        assert reqs[index] == requirement and requirement in origin.reason, (table, origin)
        # its columns too (the key is the uuid convention's, the audit columns the audit convention's)
        rating = tables["reviews"].column("rating")
        assert rating.origin.rule == "pattern.reviews" and reqs[3] in rating.origin.reason
    variants = tables["product_variants"].origin
    assert variants.path == "task.acceptance_criteria[1]" and "variants" in variants.reason
    # the declared entities keep their input origin: a pattern never takes them over
    for declared in ("users", "products", "orders"):
        assert tables[declared].origin.rule is None and tables[declared].origin.path.startswith("data_model")
    views = {v.name: v for v in schema.views}
    for name in ("daily_order_summary", "product_variant_sales_summary", "product_rating_summary"):
        assert views[name].materialized and views[name].unique_key and views[name].origin.rule.startswith("pattern.")
    section = requirements_section(schema)
    assert {m["pattern"] for m in section["matched"]} >= {"marketplace", "inventory", "orders", "reviews", "payments",
                                                          "reporting", "product_variants", "preferences"}
    assert section["not_understood"] == []  # every one of the six requirements was understood


def test_what_the_patterns_add_is_enforced_by_postgresql(tmp_path, scratch_dsn):
    data = json.loads(ECOMMERCE.read_text())
    data["conventions"] = {"security": False, "partitioning": False}
    out = design_project(_write(tmp_path, data), tmp_path / "shop").out_dir
    v001 = next((out / "migrations").glob("V001__*.sql")).read_text()
    with psycopg.connect(scratch_dsn, autocommit=True) as conn:
        conn.execute(v001)
        user = conn.execute("INSERT INTO users (email, password_hash) VALUES ('a@example.com', 'x') "
                            "RETURNING id").fetchone()[0]
        vendor = conn.execute("INSERT INTO vendors (name, slug) VALUES ('V', 'v') RETURNING id").fetchone()[0]
        product = conn.execute("INSERT INTO products (name, price, vendor_id) VALUES ('P', 10, %s) RETURNING id",
                               (vendor,)).fetchone()[0]
        variant = conn.execute("INSERT INTO product_variants (product_id, sku, name) VALUES (%s, 'SKU-1', 'M') "
                               "RETURNING id", (product,)).fetchone()[0]
        conn.execute("INSERT INTO reviews (product_id, user_id, rating) VALUES (%s, %s, 5)", (product, user))
        with pytest.raises(psycopg.errors.UniqueViolation):  # one review per user and product
            conn.execute("INSERT INTO reviews (product_id, user_id, rating) VALUES (%s, %s, 4)", (product, user))
        with pytest.raises(psycopg.errors.CheckViolation):  # rating 1-5
            conn.execute("INSERT INTO reviews (product_id, user_id, rating) VALUES (%s, gen_random_uuid(), 6)",
                         (product,))
        conn.execute("INSERT INTO inventory_levels (product_variant_id, quantity_available) VALUES (%s, 3)", (variant,))
        reserve = ("UPDATE inventory_levels SET quantity_available = quantity_available - %s, "
                   "quantity_reserved = quantity_reserved + %s WHERE product_variant_id = %s")
        conn.execute(reserve, (2, 2, variant))
        with pytest.raises(psycopg.errors.CheckViolation):  # never negative: overselling is refused
            conn.execute(reserve, (2, 2, variant))
        # no lost update: two buyers race for the last unit with the pattern's conditional UPDATE; the row
        # lock makes the second wait and re-check its WHERE on the committed row, so it reserves nothing
        guarded = reserve + " AND quantity_available >= %s"
        with psycopg.connect(scratch_dsn) as first, psycopg.connect(scratch_dsn, autocommit=True) as second:
            assert first.execute(guarded, (1, 1, variant, 1)).rowcount == 1  # open transaction: row locked
            result = {}
            racer = threading.Thread(target=lambda: result.setdefault(
                "rows", second.execute(guarded, (1, 1, variant, 1)).rowcount))
            racer.start()
            racer.join(1.0)
            assert racer.is_alive()  # waiting on the first buyer's row lock
            first.commit()
            racer.join(10)
        assert result["rows"] == 0
        assert conn.execute("SELECT quantity_available, quantity_reserved FROM inventory_levels").fetchone() == (0, 3)
        order = conn.execute("INSERT INTO orders (user_id, status, total) VALUES (%s, 'pending', 20) RETURNING id",
                             (user,)).fetchone()[0]
        conn.execute("INSERT INTO order_items (order_id, product_variant_id, quantity, unit_price) "
                     "VALUES (%s, %s, 2, 10)", (order, variant))
        pay = ("INSERT INTO payments (order_id, amount, currency, provider, provider_reference) "
               "VALUES (%s, 20, 'EUR', 'stripe', 'pi_123')")
        conn.execute(pay, (order,))
        with pytest.raises(psycopg.errors.UniqueViolation):  # a webhook delivered twice
            conn.execute(pay, (order,))
        columns = {r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns "
                                              "WHERE table_name = 'payments'")}
        assert not {"card_number", "cvv", "pan", "expiry"} & columns  # PCI: no card data
        conn.execute("SELECT fn_refresh_materialized_views()")  # CONCURRENTLY: needs the unique indexes
        assert conn.execute("SELECT units_sold, revenue FROM product_variant_sales_summary").fetchone() == (2, 20)
        assert conn.execute("SELECT review_count, average_rating FROM product_rating_summary").fetchone() == (1, 5)


@pytest.mark.xdist_group(input_group(ECOMMERCE))
def test_verify_passes_on_the_seed_example(verified_input):
    # verified_input: design_project(ECOMMERCE, folder) and verify_project(folder) on the defaults, once per
    # session (tests/conftest.py)
    out, report = verified_input(ECOMMERCE)
    assert report.passed, [(s.name, s.detail) for s in report.steps if not s.ok][:5]
    agent = json.loads((out / "agent_output.json").read_text())
    assert {m["pattern"] for m in agent["requirements"]["matched"]} >= {"reviews", "payments", "inventory"}
    inferences = (out / "docs" / "inferences.md").read_text()
    assert "Support for multi-vendor marketplace" in inferences and "pattern.marketplace" in inferences


def test_declared_entities_win(tmp_path):
    data = json.loads(ECOMMERCE.read_text())
    data["data_model"]["entities"].append({"name": "reviews", "attributes": ["id", "product_id", "user_id", "stars"]})
    _, schema = design_schema(_write(tmp_path, data))
    reviews = schema.table("reviews")
    assert reviews.origin.rule is None and reviews.column("rating") is None and reviews.column("stars") is not None
    section = requirements_section(schema)
    match = next(m for m in section["matched"] if m["pattern"] == "reviews")
    assert match["added"] == [] and "already modelled by reviews" in match["result"]


def test_switched_off_by_the_input_flag_and_by_the_api(tmp_path):
    data = json.loads(ECOMMERCE.read_text())
    _, with_patterns = design_schema(ECOMMERCE)
    without = design_project(ECOMMERCE, patterns=False).schema
    data["conventions"] = {"patterns": False}
    _, flagged = design_schema(_write(tmp_path, data))
    for schema in (without, flagged):
        assert schema.table("reviews") is None and schema.table("payments") is None
        assert not any(i.rule.startswith("pattern.") for i in schema.inferences)
        assert any(i.rule == "conventions.patterns" for i in schema.inferences)
    assert with_patterns.table("reviews") is not None


def test_cli_no_patterns_switch_and_warnings(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SCHEMAWRIGHT_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "schemawright", "design", str(ROOT / "tests" / "inputs" / "requirements_only.yaml")]
    on = subprocess.run([*cmd, "-o", str(tmp_path / "on")], env=env, capture_output=True, text=True, timeout=300)
    off = subprocess.run([*cmd, "-o", str(tmp_path / "off"), "--no-patterns"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert on.returncode == 0 and off.returncode == 0, (on.stderr, off.stderr)
    assert "'Teleport the warehouse to Mars' was not understood" in on.stderr
    assert "pattern reviews: added table reviews" in on.stderr and "pattern" not in off.stderr
    on_sql = (tmp_path / "on" / "models" / "physical" / "physical_model.sql").read_text()
    off_sql = (tmp_path / "off" / "models" / "physical" / "physical_model.sql").read_text()
    assert "CREATE TABLE reviews (" in on_sql and "CREATE TABLE reviews (" not in off_sql
    assert "CREATE TABLE products (" in off_sql  # the declared entities are designed either way


def test_unmatched_requirements_are_warnings_never_dropped(tmp_path):
    data = {"project": {"name": "x"}, "task": {"requirements": ["Quantum flux capacitor alignment",
                                                                "Product reviews and ratings"]},
            "data_model": {"entities": [{"name": "users", "attributes": ["email"]},
                                        {"name": "products", "attributes": ["name", "price"]}]}}
    result = design_project(_write(tmp_path, data), tmp_path / "out")
    agent = json.loads((result.out_dir / "agent_output.json").read_text())
    assert agent["requirements"]["not_understood"][0]["requirement"] == "Quantum flux capacitor alignment"
    assert [m["pattern"] for m in agent["requirements"]["matched"]] == ["reviews"]
    inferences = (result.out_dir / "docs" / "inferences.md").read_text()
    assert "Quantum flux capacitor alignment" in inferences


def test_a_pattern_that_lacks_a_table_says_so(tmp_path):
    data = {"project": {"name": "x"}, "task": {"requirements": ["Product reviews and ratings"]},
            "data_model": {"entities": [{"name": "notes", "attributes": ["body"]}]}}
    _, schema = design_schema(_write(tmp_path, data, "spec.yaml"))
    assert schema.table("reviews") is None
    # nothing was modelled for it: not understood, never reported as matched (fresh-inputs-2026-12 finding 19)
    section = requirements_section(schema)
    assert section["matched"] == []
    missed = section["not_understood"][0]
    assert missed["requirement"] == "Product reviews and ratings" and "needs a user table" in missed["reason"]


def test_a_match_that_models_nothing_is_not_understood(tmp_path):
    """"A farm dashboard with harvest totals": the reporting pattern matches, but its views need an orders
    table: nothing is modelled, so the requirement is not understood (not "matched, nothing to add"); a
    shift sign-up is no user sign-up."""
    data = {"project": {"name": "x"}, "task": {"requirements": [
        "A farm dashboard with harvest totals per crop per week", "Volunteer shift sign-up with a maximum",
        "Members sign up online"]},
        "data_model": {"entities": [{"name": "members", "attributes": ["email"]},
                                    {"name": "harvests", "attributes": ["crop", "quantity_kg"]}]}}
    _, schema = design_schema(_write(tmp_path, data, "spec.yaml"))
    section = requirements_section(schema)
    missed = {n["requirement"]: n["reason"] for n in section["not_understood"]}
    assert "reporting" in missed["A farm dashboard with harvest totals per crop per week"].lower()
    assert "Volunteer shift sign-up with a maximum" in missed
    assert [m["pattern"] for m in section["matched"] if m["requirement"] == "Members sign up online"] == ["auth"]


@pytest.mark.parametrize("path", per_input(p for p in INPUTS if p.suffix in (".json", ".yaml", ".yml")))
def test_every_requirement_of_the_corpus_is_accounted_for(path, designed_input):
    """Each requirement of each input is matched to a pattern or listed as not understood, never dropped."""
    design = designed_input(path)  # design_project(path): the design design_schema(path) makes, once per session
    spec, schema = design.spec, design.schema
    section = requirements_section(schema)
    accounted = {m["requirement"] for m in section["matched"]} | {n["requirement"] for n in section["not_understood"]}
    assert set(spec.task.requirements) <= accounted
    assert not {n["requirement"] for n in section["not_understood"]} - set(spec.task.requirements)
    raw = yaml.safe_load(path.read_text())
    declared = {e["name"] for e in raw["data_model"]["entities"]}
    for t in schema.tables:  # what a pattern added names a requirement of this input
        if t.origin.rule and t.origin.rule.startswith("pattern."):
            assert t.name not in declared
            assert any(r in t.origin.reason for r in [*spec.task.requirements, *spec.task.acceptance_criteria])


# --- requirements about the declared tables (design/structural_requirements.py) ---------------------------

def _traceable(tmp_path: Path, harvest_id: dict | str) -> Path:
    return _write(tmp_path, {
        "project": {"name": "trace"},
        "task": {"requirements": ["Jar batches traceable to the hive"]},
        "data_model": {"entities": [
            {"name": "hive", "attributes": [{"name": "tag", "type": "text"}]},
            {"name": "harvest", "attributes": ["hive_id", {"name": "weight_kg", "type": "numeric"}]},
            {"name": "jar_batch", "attributes": [harvest_id, {"name": "jar_count", "type": "integer"}]}],
            "relationships": [{"from": "harvest", "to": "hive"}, {"from": "jar_batch", "to": "harvest"}]}})


def test_traceable_to_is_a_chain_of_not_null_foreign_keys(tmp_path, pg15_dsn):
    from schemawright.db import scratch_database

    result = design_project(_traceable(tmp_path, "harvest_id"), tmp_path / "out")
    matched = {m["pattern"]: m["result"] for m in requirements_section(result.schema)["matched"]}
    assert "fk_jar_batches_harvest_id -> harvests -> fk_harvests_hive_id -> hives" in matched["traceability"]
    migration = (tmp_path / "out" / "migrations" / "V001__initial_schema.sql").read_text()
    with scratch_database(pg15_dsn, "sw_trace") as dsn, psycopg.connect(dsn) as conn:
        conn.execute(migration.encode())
        with pytest.raises(psycopg.errors.NotNullViolation):
            conn.execute("INSERT INTO jar_batches (harvest_id, jar_count) VALUES (NULL, 1)")


def test_traceable_to_with_a_declared_nullable_link_is_a_warning(tmp_path):
    result = design_project(_traceable(tmp_path, {"name": "harvest_id", "nullable": True}))
    missed = requirements_section(result.schema)["not_understood"]
    assert [m["requirement"] for m in missed] == ["Jar batches traceable to the hive"]
    assert result.schema.table("jar_batches").column("harvest_id").nullable  # the input wins
    warning = next(i for i in result.schema.inferences if i.rule == "requirement.not_understood")
    assert "jar_batches.harvest_id is declared nullable" in warning.decision
