"""Rules and types of the brewery a new user wrote blind (tests/inputs/brewery_retry.yaml), in their
general form: each pattern on a small input of its own, applied on a real PostgreSQL, where a bad row is refused
and a good one accepted; the seed makes a partial unique index WHERE <col> IS NULL hold; names that are
identifiers (tax_id) stay values; an invented parent table is warned about and its link optional."""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg
import pytest
import yaml

from schemawright.api import design_project, design_schema
from schemawright.seed.run import seed

ROOT = Path(__file__).resolve().parents[1]
BREWERY = ROOT / "tests" / "inputs" / "brewery_retry.yaml"


@pytest.fixture(autouse=True)
def _no_preflight(monkeypatch):
    monkeypatch.setenv("SCHEMAWRIGHT_CHECK_DSN", "off")


def _input(tmp_path: Path, entities: list, rules: list, relationships: list | None = None, **extra) -> Path:
    doc = {"project": {"name": "blindrules", "type": "web_app", "database_type": "postgresql"},
           "task": {"type": "schema_design", "description": "blind rules"},
           "data_model": {"entities": entities, "relationships": relationships or [],
                          "business_rules": [{"name": n, "entity": e, "description": d} for n, e, d in rules]},
           **extra}
    path = tmp_path / "input.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _enforced(schema, name: str):
    found = [i for i in schema.inferences if i.subject == name and i.rule.startswith("rule.")
             and i.decision.startswith("enforced by")]
    assert found, [(i.rule, i.decision, i.reason) for i in schema.inferences if i.subject == name]
    return found[0]


def _applied(tmp_path: Path, path: Path, dsn: str) -> None:
    out = tmp_path / "out"
    design_project(path, out)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for f in sorted((out / "migrations").glob("V*.sql")):
            conn.execute(f.read_text())


def _refused(dsn: str, statement: str, params=(), error=psycopg.errors.IntegrityError) -> None:
    with pytest.raises(error), psycopg.connect(dsn) as conn:
        conn.execute(statement, params)


def _accepted(dsn: str, statement: str, params=()) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(statement, params)


# --- "recipe names are unique per version" / "only one version of a recipe can be the current one" ----------
RECIPES = [{"name": "recipe", "attributes": [{"name": "name", "required": True}, "version", "is_current"]}]
RECIPE_RULES = [("names_per_version", "recipe", "recipe names are unique per version"),
                ("one_current", "recipe", "only one version of a recipe can be the current one")]


def test_unique_per_version_and_one_current_version_compile(tmp_path: Path):
    _, schema = design_schema(_input(tmp_path, RECIPES, RECIPE_RULES))
    recipes = schema.table("recipes")
    assert "UNIQUE uq_recipes_name_version" in _enforced(schema, "names_per_version").decision
    assert any(u.columns == ("name", "version") for u in recipes.uniques)
    assert not recipes.column("version").nullable  # a NULL version would let a name repeat
    ix = next(ix for ix in recipes.indexes if ix.unique and ix.where is not None)
    assert [e.column for e in ix.elements] == ["name"] and "is_current" in str(ix.where)
    _enforced(schema, "one_current")


def test_unique_per_version_and_one_current_version_hold_on_postgres(tmp_path: Path, scratch_dsn: str):
    _applied(tmp_path, _input(tmp_path, RECIPES, RECIPE_RULES), scratch_dsn)
    insert = "INSERT INTO recipes (name, version, is_current) VALUES (%s, %s, %s)"
    _accepted(scratch_dsn, insert, ("Pale Ale", 1, False))
    _accepted(scratch_dsn, insert, ("Pale Ale", 2, True))
    _refused(scratch_dsn, insert, ("Pale Ale", 2, False), psycopg.errors.UniqueViolation)  # same version
    _refused(scratch_dsn, insert, ("Pale Ale", 3, True), psycopg.errors.UniqueViolation)  # a second current one
    _refused(scratch_dsn, insert, ("Pale Ale", None, False), psycopg.errors.NotNullViolation)
    _accepted(scratch_dsn, insert, ("Stout", 1, True))  # another recipe has its own current version


# --- "final gravity has to be lower than original gravity"; "target_abv between 0 and 15 percent" ----------
BATCHES = [{"name": "batch", "attributes": ["original_gravity", "final_gravity", "target_abv", "ibu", "deposit_eur",
                                            "head_brewer"]}]
BATCH_RULES = [("gravity_drops", "batch", "final gravity has to be lower than original gravity"),
               ("abv_sane", "batch", "target_abv between 0 and 15 percent")]


def test_types_of_brewing_numbers(tmp_path: Path):
    _, schema = design_schema(_input(tmp_path, BATCHES, BATCH_RULES))
    batches = schema.table("batches")
    types = {c.name: str(c.type) for c in batches.columns}
    assert types["original_gravity"] == types["final_gravity"] == "numeric(4,3)"
    assert types["target_abv"] == "numeric(4,2)"
    assert types["ibu"] == "smallint"
    assert types["deposit_eur"] == "numeric(12,2)"
    assert types["head_brewer"] != "text" and batches.column("head_brewer").pii
    assert not [i for i in schema.inferences if i.rule == "warning.type_unknown"]
    assert "final_gravity < original_gravity" in _enforced(schema, "gravity_drops").reason
    assert "BETWEEN 0 AND 15" in _enforced(schema, "abv_sane").reason


def test_a_range_with_a_unit_word_types_an_unknown_column():
    from schemawright.design.rules.comparison import numeric_bounds
    assert numeric_bounds("strength between 0 and 15 percent", "strength") == ["0", "15"]
    assert numeric_bounds("fill_level between 2.5 and 8 litres", "fill_level") == ["2.5", "8"]
    assert numeric_bounds("strength between 0 and 15 percent of the total", "strength") == []


def test_gravity_order_and_abv_range_hold_on_postgres(tmp_path: Path, scratch_dsn: str):
    _applied(tmp_path, _input(tmp_path, BATCHES, BATCH_RULES), scratch_dsn)
    insert = "INSERT INTO batches (original_gravity, final_gravity, target_abv) VALUES (%s, %s, %s)"
    _accepted(scratch_dsn, insert, ("1.050", "1.010", "5.20"))
    _refused(scratch_dsn, insert, ("1.010", "1.050", "5.20"), psycopg.errors.CheckViolation)
    _refused(scratch_dsn, insert, ("1.010", "1.010", "5.20"), psycopg.errors.CheckViolation)  # lower, not equal
    _refused(scratch_dsn, insert, ("1.050", "1.010", "15.50"), psycopg.errors.CheckViolation)
    _refused(scratch_dsn, insert, ("1.050", "1.010", "-1"), psycopg.errors.CheckViolation)


# --- "at most one shipment without returned_on" per keg fill ---------------------------------------------------
SHIPPING = [{"name": "keg_fill", "attributes": ["litres"]},
            {"name": "keg_shipment", "attributes": ["keg_fill_id", "shipped_on", "returned_on"]}]
SHIPPING_RULES = [("after_ship", "keg_shipment", "returned_on cannot be before shipped_on"),
                  ("one_pub_at_a_time", "keg_shipment", "a keg fill can only be out at one pub at a time (at most one "
                                                        "shipment without returned_on)")]
SHIPPING_RELS = [{"from": "keg_shipment", "to": "keg_fill", "type": "many_to_one"}]


def test_one_open_shipment_compiles_to_a_partial_unique_where_null(tmp_path: Path):
    _, schema = design_schema(_input(tmp_path, SHIPPING, SHIPPING_RULES, SHIPPING_RELS))
    _enforced(schema, "one_pub_at_a_time")
    ix = next(ix for ix in schema.table("keg_shipments").indexes if ix.unique and ix.where is not None)
    assert [e.column for e in ix.elements] == ["keg_fill_id"]
    assert str(ix.where).replace('"', "") == "returned_on IS NULL"


def test_one_open_shipment_holds_on_postgres(tmp_path: Path, scratch_dsn: str):
    _applied(tmp_path, _input(tmp_path, SHIPPING, SHIPPING_RULES, SHIPPING_RELS), scratch_dsn)
    with psycopg.connect(scratch_dsn) as conn:
        fill = conn.execute("INSERT INTO keg_fills (litres) VALUES (50) RETURNING id").fetchone()[0]
    insert = "INSERT INTO keg_shipments (keg_fill_id, shipped_on, returned_on) VALUES (%s, %s, %s)"
    _accepted(scratch_dsn, insert, (fill, "2026-01-01", "2026-01-20"))  # returned
    _accepted(scratch_dsn, insert, (fill, "2026-02-01", None))  # out now
    _refused(scratch_dsn, insert, (fill, "2026-02-02", None), psycopg.errors.UniqueViolation)  # out twice
    _accepted(scratch_dsn, insert, (fill, "2026-02-02", "2026-02-03"))


def test_seed_holds_a_partial_unique_where_null(tmp_path: Path, scratch_dsn: str):
    out = tmp_path / "out"
    design_project(_input(tmp_path, SHIPPING, SHIPPING_RULES, SHIPPING_RELS,
                          performance_targets={"data_volume": {"initial": "20000"}}), out)
    seed(out, scratch_dsn, scale=0.05, max_rows=5_000)
    with psycopg.connect(scratch_dsn) as conn:
        rows, fills, open_, most_open, early = conn.execute(
            "SELECT count(*), count(DISTINCT keg_fill_id), count(*) FILTER (WHERE returned_on IS NULL), "
            "(SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM keg_shipments WHERE returned_on IS NULL "
            "GROUP BY keg_fill_id) s), count(*) FILTER (WHERE returned_on < shipped_on) FROM keg_shipments").fetchone()
        valid = conn.execute("SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'keg_shipments'::regclass"
                             ).fetchone()[0]
    assert rows > fills > 0  # several shipments per keg fill: the index had work to do
    assert open_ > 0 and most_open == 1 and early == 0 and valid


# --- identifiers are values; an invented parent is warned and optional ------------------------------------------
def test_identifier_ids_are_not_references_and_an_invented_parent_is_warned(tmp_path: Path):
    entities = [{"name": "billing_account", "attributes": ["name", "tax_id", "vat_id"]},
                {"name": "reading", "attributes": ["value", "sensor_id", {"name": "device_id", "required": True}]}]
    _, schema = design_schema(_input(tmp_path, entities, []))
    accounts = schema.table("billing_accounts")
    assert not accounts.foreign_keys and schema.table("taxes") is None and schema.table("vats") is None
    assert str(accounts.column("vat_id").type) != "uuid"
    readings = schema.table("readings")
    assert {fk.ref_table for fk in readings.foreign_keys} == {"sensors", "devices"}
    assert readings.column("sensor_id").nullable  # not stated: a reading without a sensor is allowed
    assert not readings.column("device_id").nullable  # stated
    warned = {i.subject for i in schema.inferences if i.rule == "warning.invented_table"}
    assert warned == {"sensors", "devices"}


def test_design_prints_the_invented_table_warning(tmp_path: Path):
    import subprocess
    result = subprocess.run([sys.executable, "-m", "schemawright", "design", str(BREWERY), "--output",
                             str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 3), result.stdout + result.stderr  # partial success: two rules not enforced
    line = next((ln for ln in result.stderr.splitlines() if "sensors" in ln and "warning" in ln), None)
    assert line is not None, result.stderr


# --- personal data of a contact person: masked and erasable ---------------------------------------------------
def test_contact_name_is_personal_data_and_erasable():
    _, schema = design_schema(BREWERY)
    pubs = schema.table("pubs")
    assert pubs.column("contact_name").pii
    erase = next(f for f in schema.functions if f.name == "fn_erase_pub")
    assert "contact_name" in erase.body
    masked = next(v for v in schema.views if v.name == "vm_masked_pubs" or v.name == "vw_masked_pubs")
    assert "contact_name::text, 1) || '***'" in masked.query


def test_brewery_retry_judgement():
    sys.path.insert(0, str(ROOT / "tests"))
    from test_blind_inputs import _judgement
    enforced, total, text_columns = _judgement("brewery_retry.yaml")
    assert text_columns == 0
    assert enforced == total  # 11/11, with the status transitions and the head_brewer role rule


def test_an_erasure_requirement_names_its_columns_and_its_function(tmp_path: Path):
    entities = [{"name": "supplier", "attributes": [{"name": "name", "required": True}, "contact_email",
                                                    "contact_mobile", "contact_name"]}]
    path = _input(tmp_path, entities, [], security_requirements={"compliance_standards": ["GDPR"]})
    doc = yaml.safe_load(path.read_text())
    doc["task"]["requirements"] = ["Supplier contacts hold personal data and must be anonymised on request"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    _, schema = design_schema(path)
    suppliers = schema.table("suppliers")
    assert suppliers.column("contact_mobile").pii  # named by the requirement ("contacts"), no lexicon entry
    assert not suppliers.column("name").pii
    met = [i for i in schema.inferences if i.rule == "pattern.erasure"]
    assert met and "fn_erase_supplier" in met[0].decision
    # and agent_output's requirements section counts it as matched (tests/test_requirements_patterns.py)
    from schemawright.render.agent_output import requirements_section
    assert any(m["requirement"] == doc["task"]["requirements"][0] and m["pattern"] == "erasure"
               for m in requirements_section(schema)["matched"])
    erase = next(f for f in schema.functions if f.name == "fn_erase_supplier")
    assert "contact_mobile" in erase.body and "contact_name" in erase.body
    assert not [i for i in schema.inferences if i.rule == "requirement.not_understood"]


def test_never_changed_once_written_is_append_only(tmp_path: Path):
    entities = [{"name": "sensor_reading", "attributes": [{"name": "taken_at", "type": "timestamptz"}, "value"]}]
    _, schema = design_schema(_input(tmp_path, entities, [("append_only", "sensor_reading",
                                                           "sensor readings are never changed once written")]))
    assert "TRIGGER trg_sensor_readings_immutable" in _enforced(schema, "append_only").decision
