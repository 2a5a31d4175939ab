"""Mutated task inputs (examples/ and tests/inputs/: types swapped, attributes deleted, junk values,
entities renamed and duplicated, rules rewritten): every design ends in exit 0 or exit 2 (a located
input error), never an internal error, and every exit-0 design applies on PostgreSQL.

The default suite runs a modest number of examples; SCHEMAWRIGHT_MUTATIONS=N runs more.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import psycopg
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemawright.api import design_project
from schemawright.db import scratch_database
from schemawright.errors import SpecError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "examples").glob("*.*"), *(ROOT / "tests" / "inputs").glob("*.*")])
DOCS = {p.name: (json.loads(p.read_text()) if p.suffix == ".json" else yaml.safe_load(p.read_text()))
        for p in SOURCES}
TYPES = ["integer", "text", "jsonb", "boolean", "date", "timestamptz", "numeric(5,2)", "uuid", "inet", "bigint",
         "varchar(3)", "smallint", "double precision", "bytea", "text[]", "tsvector", "interval", "enum", "money"]
JUNK = [None, "", 0, -1, 1.5, True, "x" * 70, "drop table x;", [], {}, "NaN", "2024-13-45", "a'b", "ü", 10 ** 20]
RULE_TEXTS = ["{a} is after {b}", "{a} is unique within a {b}", "At most one active row per {b}",
              "{a} of one {b} never overlap", "{a} can never be updated or deleted", "{a} is between 0 and 1",
              "status transitions: a -> b; b -> c", "The {a} belongs to the same {b} as the row",
              "{a} is not negative", "{a} and {b} are unique together", "{a} is greater than {b}",
              "The sum of {a} equals the sum of {b} per {b}", "Only role auditor may read {t}",
              "At most one {t} per {b}", "The total of {a} equals the total of {a} for each {b}"]


def _attrs(entity) -> list:
    return entity.setdefault("attributes", []) if isinstance(entity, dict) else []


def _names(entity) -> list[str]:
    return [a if isinstance(a, str) else a.get("name", "x") for a in _attrs(entity) if isinstance(a, (str, dict))]


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(DOCS)))
    doc = copy.deepcopy(DOCS[name])
    entities = doc.get("data_model", {}).get("entities", [])
    for _ in range(draw(st.integers(1, 4))):
        if not entities:
            break
        entity = draw(st.sampled_from(entities))
        attrs = _attrs(entity)
        op = draw(st.sampled_from(["type", "delete", "junk", "rename", "duplicate", "rule", "check", "default",
                                   "values", "drop_entity", "index"]))
        if op == "type" and attrs:
            i = draw(st.integers(0, len(attrs) - 1))
            a = attrs[i] if isinstance(attrs[i], dict) else {"name": attrs[i]}
            a["type"] = draw(st.sampled_from(TYPES))
            if a["type"] == "enum":
                a["values"] = ["a", "b"]
            attrs[i] = a
        elif op == "delete" and attrs:
            attrs.pop(draw(st.integers(0, len(attrs) - 1)))
        elif op == "junk" and attrs:
            i = draw(st.integers(0, len(attrs) - 1))
            a = attrs[i] if isinstance(attrs[i], dict) else {"name": attrs[i]}
            a[draw(st.sampled_from(["nullable", "unique", "default", "check", "values", "references", "pii"]))] = \
                draw(st.sampled_from(JUNK))
            attrs[i] = a
        elif op == "rename":
            entity["name"] = draw(st.sampled_from(["item", "items", "user", "order", "x1", entity["name"] + "s"]))
        elif op == "duplicate":
            entities.append(copy.deepcopy(entity))
        elif op in ("rule", "check") and _names(entity):
            a, b = draw(st.sampled_from(_names(entity))), draw(st.sampled_from(_names(entity)))
            text = draw(st.sampled_from(RULE_TEXTS)).format(a=a, b=b.removesuffix("_id"), t=str(entity["name"]))
            rule = {"name": f"r{draw(st.integers(0, 999))}", "entity": entity["name"], "description": text}
            if op == "check":
                rule["check"] = f"{a} > {b}"
            doc.setdefault("data_model", {}).setdefault("business_rules", []).append(rule)
        elif op == "default" and attrs:
            i = draw(st.integers(0, len(attrs) - 1))
            a = attrs[i] if isinstance(attrs[i], dict) else {"name": attrs[i]}
            a["default"], a["check"] = 0, f"{a['name']} > 0"
            attrs[i] = a
        elif op == "values" and attrs:
            i = draw(st.integers(0, len(attrs) - 1))
            a = attrs[i] if isinstance(attrs[i], dict) else {"name": attrs[i]}
            a["values"] = draw(st.sampled_from([["1", "2"], ["a", "b"], ["x"]]))
            attrs[i] = a
        elif op == "drop_entity":
            entities.remove(entity)
        elif op == "index" and _names(entity):
            doc.setdefault("data_model", {}).setdefault("indexes", []).append(
                {"entity": entity["name"], "columns": [draw(st.sampled_from(_names(entity)))],
                 "type": draw(st.sampled_from(["btree", "hash", "gin", "gist", "brin", "spgist"]))})
    return name, doc


def design_and_apply(doc: dict, tmp: Path, dsn: str) -> str:
    spec = tmp / "spec.json"
    spec.write_text(json.dumps(doc, default=str))
    try:
        design_project(spec, tmp / "out", force=True)
    except SpecError:
        return "exit 2"
    migration = (tmp / "out" / "migrations" / "V001__initial_schema.sql").read_text()
    with scratch_database(dsn, "sw_mutation") as target, psycopg.connect(target) as conn:
        conn.execute(migration.encode())
    return "exit 0"


@pytest.fixture
def preflight_on(pg15_dsn, monkeypatch):
    monkeypatch.setenv("SCHEMAWRIGHT_CHECK_DSN", pg15_dsn)
    return pg15_dsn


@settings(max_examples=int(os.environ.get("SCHEMAWRIGHT_MUTATIONS", "40")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=mutated())
def test_mutated_inputs_exit_0_or_2_and_apply(case, preflight_on, tmp_path_factory):
    name, doc = case
    outcome = design_and_apply(doc, tmp_path_factory.mktemp("m"), preflight_on)
    assert outcome in ("exit 0", "exit 2"), name


def test_two_thousand_entities_design_in_seconds(tmp_path, monkeypatch):
    import time
    monkeypatch.setenv("SCHEMAWRIGHT_CHECK_DSN", "off")
    entities = [{"name": f"thing_{i}", "attributes": ["name", "valid_from", "valid_to", "quantity",
                                                      *( [f"thing_{i - 1}_id"] if i else [])]} for i in range(2000)]
    spec = tmp_path / "big.json"
    spec.write_text(json.dumps({"project": {"name": "big"}, "data_model": {"entities": entities}}))
    start = time.perf_counter()
    from schemawright.api import design_schema
    _, schema = design_schema(spec)
    assert len(schema.tables) >= 2000
    assert time.perf_counter() - start < 60
