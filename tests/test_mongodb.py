"""``database_type: mongodb``: the $jsonSchema validators, the mongosh script and the Mongoose schemas.

No MongoDB server is available, so the proofs are structural (docs/mongodb.md says the same):

- every validator uses only keywords MongoDB's ``$jsonSchema`` accepts and is a valid draft-4 schema;
- oracle for *valid*: rows PostgreSQL accepted for the same design (built on a private cluster by the
  seeder's RowFactory, read back typed) become documents (the single-column key as ``_id``, embedded tables
  as arrays in their parent) and must pass, under a JSON Schema validator taught the BSON types;
- *violating* documents must fail: each required field removed, a wrong type, an unknown field, and for
  every enum / bound / pattern / length a value that PostgreSQL's own CHECK (asked through RowFactory)
  refuses too;
- the mongosh script passes ``node --check`` and, run in node against a recording stand-in for ``db``,
  creates exactly the validators and indexes of the JSON files;
- the Mongoose schemas type-check with ``tsc --noEmit`` against mongoose's typings (npm, cached).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import uuid
from decimal import Decimal
from pathlib import Path

import jsonschema
import psycopg
import pytest
from npm_tools import run, tools_dir, tsc
from psycopg.rows import dict_row

from schemawright import api
from schemawright.datagen.rows import RowFactory
from schemawright.db import scratch_database
from schemawright.db.embedded import private_server

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted(p for d in ("examples", "tests/inputs") for p in (ROOT / d).iterdir()
                if p.suffix in (".json", ".yaml", ".yml"))
LIVE = ["ecommerce", "blog_cms", "saas_multitenant", "tricky_types", "hotel_booking", "library"]
# What MongoDB's $jsonSchema accepts (MongoDB manual, "$jsonSchema": available keywords; no $ref, format, default)
MONGO_KEYWORDS = {"bsonType", "required", "properties", "additionalProperties", "enum", "minimum", "maximum",
                  "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "items", "minItems",
                  "maxItems", "uniqueItems", "description", "title", "anyOf", "allOf", "oneOf", "not",
                  "patternProperties", "dependencies", "minProperties", "maxProperties", "multipleOf", "type"}
BSON_TYPES = {"double", "string", "object", "array", "binData", "objectId", "bool", "date", "null", "regex", "int",
              "timestamp", "long", "decimal", "minKey", "maxKey", "javascript"}
CHECKERS = {
    "double": lambda v: isinstance(v, float), "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
    "binData": lambda v: isinstance(v, bytes), "objectId": lambda v: isinstance(v, str) and len(v) == 24,
    "bool": lambda v: isinstance(v, bool), "date": lambda v: isinstance(v, dt.datetime),
    "null": lambda v: v is None, "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and -2**31 <= v < 2**31,
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool), "decimal": lambda v: isinstance(v, Decimal),
}


def _to_type(schema):
    """A $jsonSchema as a JSON Schema the validator reads: bsonType becomes type (with the BSON types)."""
    if isinstance(schema, dict):
        return {("type" if k == "bsonType" else k): _to_type(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_to_type(v) for v in schema]
    return schema


SIMPLE = {"double": "number", "decimal": "number", "int": "integer", "long": "integer", "bool": "boolean",
          "date": "string", "binData": "string", "objectId": "string"}


def _meta_form(schema):
    """The schema with BSON type names as JSON Schema's own, for the draft-4 meta-schema check."""
    if isinstance(schema, dict):
        return {k: ([SIMPLE.get(t, t) for t in v] if isinstance(v, list) else SIMPLE.get(v, v)) if k == "type"
                else _meta_form(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_meta_form(v) for v in schema]
    return schema


def _validator(schema: dict):
    checker = jsonschema.Draft4Validator.TYPE_CHECKER.redefine_many(
        {name: (lambda f: lambda _, v: f(v))(f) for name, f in CHECKERS.items()})
    cls = jsonschema.validators.extend(jsonschema.Draft4Validator, type_checker=checker)
    return cls(_to_type(schema["$jsonSchema"]))


def _walk(schema, path="$"):
    if isinstance(schema, dict):
        yield path, schema
        for key in ("properties",):
            for name, sub in schema.get(key, {}).items():
                yield from _walk(sub, f"{path}.{name}")
        if "items" in schema:
            yield from _walk(schema["items"], f"{path}[]")
        for key in ("allOf", "anyOf", "oneOf"):
            for i, sub in enumerate(schema.get(key, [])):
                yield from _walk(sub, f"{path}.{key}[{i}]")


@pytest.fixture(scope="module")
def designs(tmp_path_factory):
    root = tmp_path_factory.mktemp("mongo")
    return {spec.stem: (root / spec.stem, api.design_project(spec, root / spec.stem, dialect="mongodb"))
            for spec in INPUTS}


def _validators(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((folder / "models/mongodb/validators").glob("*.json"))}


def test_validators_use_only_mongodb_keywords(designs):
    problems = []
    for name, (folder, result) in designs.items():
        validators = _validators(folder)
        plan = json.loads((folder / "models/mongodb/collections.json").read_text())
        embedded = {e["table"] for e in plan["embedded"]}
        assert set(validators) | embedded == {t.name for t in result.schema.tables}, name
        for coll, v in validators.items():
            assert set(v) == {"$jsonSchema"}
            jsonschema.Draft4Validator.check_schema(_meta_form(_to_type(v["$jsonSchema"])))
            for path, node in _walk(v["$jsonSchema"]):
                problems += [f"{name}.{coll}{path}: {k}" for k in node if k not in MONGO_KEYWORDS]
                types = node.get("bsonType", [])
                problems += [f"{name}.{coll}{path}: bsonType {t}" for t in ([types] if isinstance(types, str) else types)
                             if t not in BSON_TYPES]
                if "pattern" in node:
                    re.compile(node["pattern"])
    assert problems == []


def _bson(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (dt.time, dt.timedelta)) or isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address,
                                                                          ipaddress.IPv4Network, ipaddress.IPv6Network,
                                                                          ipaddress.IPv4Interface,
                                                                          ipaddress.IPv6Interface)):
        return str(value)
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, list):
        return [_bson(v) for v in value]
    return value


def _documents(result, dsn: str) -> dict[str, list[dict]]:
    """Rows PostgreSQL accepted, as the documents the mapping stores (embedded tables inside parents)."""
    schema = result.schema
    plan = json.loads(next(a.content for a in result.artifacts if a.path == "models/mongodb/collections.json"))
    embedded = {e["table"]: e for e in plan["embedded"]}
    ids = plan["id_fields"]
    rows: dict[str, list[dict]] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        factory = RowFactory(conn, schema)
        for t in schema.tables:
            try:
                with conn.transaction():
                    factory.insert(t, factory.valid_row(t))
            except Exception:  # noqa: BLE001 - a table the factory cannot fill is left out, the others proven
                continue
        for t in schema.tables:
            with conn.cursor(row_factory=dict_row) as cur:
                rows[t.name] = [dict(r) for r in cur.execute(psycopg.sql.SQL("SELECT * FROM {} LIMIT 3").format(
                    psycopg.sql.Identifier(t.schema, t.name))).fetchall()]
    docs: dict[str, list[dict]] = {}
    for t in schema.tables:
        if t.name in embedded:
            continue
        docs[t.name] = [{("_id" if c == ids[t.name] else c): _bson(v) for c, v in r.items()} for r in rows[t.name]]
    for name, e in embedded.items():
        parents = docs.get(e["parent"], [])
        for r in rows[name]:
            item = {c: _bson(v) for c, v in r.items() if c != e["fk_column"]}
            home = next((p for p in parents if p.get("_id") == _bson(r[e["fk_column"]])), parents[0] if parents else None)
            if home is not None:
                home.setdefault(e["field"], []).append(item)
    for name, e in embedded.items():
        for p in docs.get(e["parent"], []):
            p.setdefault(e["field"], [])
    return docs


def _violations(v: dict, doc: dict):
    """(what, document) pairs each breaking one rule of the validator at the top level."""
    js = v["$jsonSchema"]
    for field in js.get("required", []):
        yield f"without {field}", {k: x for k, x in doc.items() if k != field}
    yield "an unknown field", dict(doc, zz_not_in_the_design=1)
    for field, prop in js["properties"].items():
        kinds = prop["bsonType"] if isinstance(prop["bsonType"], list) else [prop["bsonType"]]
        wrong = [] if "string" in kinds else ["text"]
        wrong = wrong or ([12345] if "int" not in kinds and "long" not in kinds else [])
        if wrong:
            yield f"{field} of a wrong type", dict(doc, **{field: wrong[0]})


def _value_breaking(prop: dict):
    """(rule, value) pairs that break one value rule of ``prop``."""
    kinds = prop["bsonType"] if isinstance(prop["bsonType"], list) else [prop["bsonType"]]
    if "enum" in prop and "string" in kinds:
        yield "enum", "zz_not_allowed"
    if "minimum" in prop:
        lo = prop["minimum"]
        yield "minimum", lo if prop.get("exclusiveMinimum") else lo - 1
    if "maximum" in prop:
        hi = prop["maximum"]
        yield "maximum", hi if prop.get("exclusiveMaximum") else hi + 1
    if "maxLength" in prop:
        yield "maxLength", "x" * (prop["maxLength"] + 1)
    if "pattern" in prop:
        bad = next((s for s in (" ", "@@ @@", "not valid!", "\u00e9\u00e9", "") if not re.search(prop["pattern"], s)),
                   None)
        if bad is not None:
            yield "pattern", bad


@pytest.mark.parametrize("name", LIVE)
def test_documents_of_rows_postgresql_accepts_pass_and_violations_fail(designs, name):
    folder, result = designs[name]
    pg = api.design_project(ROOT / ("examples" if (ROOT / "examples" / f"{name}.json").exists()
                                    or (ROOT / "examples" / f"{name}.yaml").exists() else "tests/inputs")
                            / next(p.name for p in INPUTS if p.stem == name))
    migration = next(a.content for a in pg.artifacts if a.path == "migrations/V001__initial_schema.sql")
    validators = _validators(folder)
    checked = broken = 0
    cases: list[dict] = []  # also put to the Mongoose models (a second validator, mongoose's own)
    with private_server(result.schema.extensions) as server, scratch_database(server, prefix="sw_mongo") as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(migration.encode())
        docs = _documents(result, dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            factory = RowFactory(conn, result.schema)
            for coll, documents in docs.items():
                validator = _validator(validators[coll])
                table = result.schema.table(coll)
                for doc in documents:
                    errors = [e.message for e in validator.iter_errors(doc)]
                    assert errors == [], f"{coll}: a row PostgreSQL accepted fails its validator: {errors[:3]}"
                    checked += 1
                    cases.append({"collection": coll, "doc": doc, "valid": True, "what": "a row PostgreSQL accepted"})
                    defaults = {c.name for c in table.columns if c.default is not None}
                    for field in validators[coll]["$jsonSchema"].get("required", []):
                        if field != "_id" and field not in defaults:  # Mongoose fills a default in
                            cases.append({"collection": coll, "doc": {k: x for k, x in doc.items() if k != field},
                                          "valid": False, "what": f"without {field}"})
                    for what, bad in _violations(validators[coll], doc):
                        assert not validator.is_valid(bad), f"{coll}: a document {what} passes"
                        broken += 1
                    for field, prop in validators[coll]["$jsonSchema"]["properties"].items():
                        checked_columns = {c for ck in table.checks for c in ck.columns}
                        column = next((c for c in table.columns if c.name == field and c.name in checked_columns), None)
                        for rule, value in _value_breaking(prop):
                            bad = dict(doc, **{field: value})
                            assert not validator.is_valid(bad), f"{coll}.{field}: {rule} {value!r} passes"
                            broken += 1
                            if field != "_id":
                                cases.append({"collection": coll, "doc": bad, "valid": False,
                                              "what": f"{field}: {rule} {value!r}"})
                            if column is not None and field == column.name and rule != "maxLength":
                                row = {c.name: (str(value) if c.name == field else _text(doc.get(c.name)))
                                       for c in table.columns if c.name in doc}
                                refused = [ck.name for ck in table.checks if field in ck.columns
                                           and not factory.holds(table, ck, row)]
                                assert refused, f"{coll}.{field}: PostgreSQL accepts {value!r} that the validator refuses"
    assert checked >= len(docs) and broken > checked
    plan = json.loads((folder / "models/mongodb/collections.json").read_text())
    items = sum(len(d.get(e["field"], [])) for e in plan["embedded"] for d in docs.get(e["parent"], []))
    assert items >= (1 if plan["embedded"] else 0), "no embedded document was checked"
    print(f"{name}: {checked} documents pass, {broken} violations fail, {items} embedded items")
    _mongoose_agrees(folder, cases)


MONGOOSE_CHECK = """
const fs = require('fs');
const mongoose = require('mongoose');
require('./models.js');
const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const byCollection = {};
for (const m of Object.values(mongoose.models)) byCollection[m.schema.options.collection] = m;
const wrong = [];
for (const c of cases) {
  let valid;
  try { valid = !new byCollection[c.collection](c.doc).validateSync(); } catch (e) { valid = false; }
  if (valid !== c.valid) wrong.push(`${c.collection}: ${c.what} is ${valid ? 'accepted' : 'refused'}`);
}
console.log(JSON.stringify({ cases: cases.length, wrong }));
"""


def _mongoose_agrees(folder: Path, cases: list[dict]) -> None:
    """The compiled Mongoose models accept the documents PostgreSQL's rows became and refuse the documents
    that break a required field, an enum, a bound, a length or a pattern (mongoose's own validators)."""
    tools = tools_dir()
    project = folder / "models/orm/mongoose"
    result = tsc(project, tools, "--outDir", str(project / "dist"))
    assert result.returncode == 0, result.stdout[-3000:]
    data = project / "dist/cases.json"
    data.write_text(json.dumps(cases, default=_json_value))
    (project / "dist/check.js").write_text(MONGOOSE_CHECK)
    ran = run(["node", "check.js", str(data)], project / "dist")
    assert ran.returncode == 0, ran.stderr[-3000:]
    report = json.loads(ran.stdout)
    assert report["cases"] == len(cases) and report["wrong"] == [], "\n".join(report["wrong"][:40])


def _json_value(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _text(value):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return str(value)


def test_mongosh_script_parses_and_creates_what_the_files_say(designs, tmp_path):
    if not (run(["node", "--version"], tmp_path).returncode == 0):
        pytest.skip("node is not installed")
    stub = """
const calls = [];
const coll = (name) => ({ createIndex: (keys, options) => calls.push(["index", name, keys, options]) });
globalThis.db = { getSiblingDB: (n) => ({ getCollectionNames: () => [],
  createCollection: (name, o) => calls.push(["create", name, o.validator]),
  runCommand: (c) => calls.push(["collMod", c.collMod, c.validator]), getCollection: coll }) };
require(process.argv[2]);
console.log(JSON.stringify(calls));
"""
    (tmp_path / "stub.js").write_text(stub)
    for name in ("ecommerce", "blog_cms", "tricky_types", "social_network"):
        folder, _ = designs[name]
        script = folder / "models/mongodb/create_collections.js"
        assert run(["node", "--check", str(script)], tmp_path).returncode == 0
        ran = run(["node", str(tmp_path / "stub.js"), str(script)], tmp_path)
        assert ran.returncode == 0, ran.stderr[-2000:]
        calls = json.loads(ran.stdout)
        created = {c[1]: c[2] for c in calls if c[0] == "create"}
        assert created == _validators(folder)
        plan = json.loads((folder / "models/mongodb/collections.json").read_text())
        indexes = [[c[1], c[2], c[3]] for c in calls if c[0] == "index"]
        assert indexes == [[p["name"], ix["keys"], ix["options"]] for p in plan["collections"] for ix in p["indexes"]]


def test_mongoose_schemas_type_check(designs, tmp_path):
    tools = tools_dir()
    files = [str(p) for folder, _ in designs.values() for p in sorted((folder / "models/orm/mongoose").glob("*.ts"))]
    assert len(files) == 2 * len(INPUTS)
    config = json.loads((next(iter(designs.values()))[0] / "models/orm/mongoose/tsconfig.json").read_text())
    config["include"], config["compilerOptions"]["noEmit"] = files, True
    config["compilerOptions"]["typeRoots"] = [str(tools / "node_modules/@types")]
    root = next(iter(designs.values()))[0].parent  # imports resolve from the designs' common folder
    (root / "tsconfig.json").write_text(json.dumps(config))
    result = tsc(root, tools)
    assert result.returncode == 0, result.stdout[-4000:]


def test_database_type_mongodb_designs_and_reports(tmp_path):
    spec = tmp_path / "clinic.yaml"
    text = (ROOT / "examples" / "clinic_appointments.yaml").read_text()
    assert "database_type: postgresql" in text
    spec.write_text(text.replace("database_type: postgresql", "database_type: mongodb"))
    out = tmp_path / "out"
    result = api.design_project(spec, out)
    assert result.dialect == "mongodb"
    assert not (out / "migrations").exists()
    assert (out / "models/mongodb/create_collections.js").is_file()
    report = json.loads((out / "agent_output.json").read_text())
    assert [c["framework"] for c in report["integration_support"]["orm_configurations"]] == ["mongoose"]
    dialect = (out / "docs/dialect.md").read_text()
    kinds = {d.kind for d in result.degradations}
    assert {"foreign_key", "trigger"} <= kinds and len(result.degradations) == len(report["dialect"]["degradations"])
    assert all(d.name in dialect for d in result.degradations[:20])
    assert "What was and was not proven" in (out / "docs/mongodb.md").read_text()


@pytest.mark.parametrize("sql, embedded", [
    ("SELECT o.*, i.* FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = $1", True),
    ("SELECT * FROM order_items WHERE product_variant_id = $1", False),
])
def test_access_patterns_decide_embed_or_reference(tmp_path, sql, embedded):
    """ecommerce's order_items (a child of orders): embedded when a query pattern reads it with its order,
    a referencing collection when one reads it on its own; the reason names the pattern."""
    data = json.loads((ROOT / "examples" / "ecommerce.json").read_text())
    data["query_patterns"] = [{"name": "the_pattern", "sql": sql, "frequency": 100}]
    spec = tmp_path / "shop.json"
    spec.write_text(json.dumps(data))
    result = api.design_project(spec, dialect="mongodb")
    plan = json.loads(next(a.content for a in result.artifacts if a.path == "models/mongodb/collections.json"))
    if embedded:
        item = next(e for e in plan["embedded"] if e["table"] == "order_items")
        assert item["parent"] == "orders" and "the_pattern" in item["why"]
        orders = json.loads(next(a.content for a in result.artifacts
                                 if a.path == "models/mongodb/validators/orders.json"))
        items = orders["$jsonSchema"]["properties"][item["field"]]
        assert items["bsonType"] == "array" and "order_id" not in items["items"]["properties"]
    else:
        assert not any(e["table"] == "order_items" for e in plan["embedded"])
        why = next(c["why"] for c in plan["collections"] if c["name"] == "order_items")
        assert "the_pattern" in why and "orders" in why
