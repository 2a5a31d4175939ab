"""``database_type: mongodb``: collections with ``$jsonSchema`` validators, indexes and embed-vs-reference
decisions, as a mongosh script (models/mongodb/).

The design is made as for PostgreSQL, then mapped:

- **Embed or reference.** A table is embedded as an array in its parent's documents when it is owned by one
  parent (its one NOT NULL, ON DELETE CASCADE foreign key, or a child table's NOT NULL key to the parent that
  names it; its other foreign keys, such as created_by, stay references inside the embedded documents), nothing references
  it, it is not partitioned, it is a child/detail table or a query pattern reads it together with its parent,
  no query pattern reads it on its own, and its expected rows per parent stay small (an unbounded array
  would approach the 16 MB document limit). Every other foreign key is a reference: the field holds the
  parent's ``_id``, indexed as the design indexes it; MongoDB does not enforce it (reported).
- **Validators.** Per column: ``bsonType`` (``null`` added when nullable), ``required`` for NOT NULL columns,
  ``enum`` from enum types and ``IN`` checks, ``minimum``/``maximum`` and ``pattern`` (POSIX classes written
  as escapes both PCRE and other engines read alike) from the CHECKs' top-level AND-ed comparisons
  (``datagen.rules``), ``maxLength`` from ``varchar(n)``. A single-column primary key is ``_id``.
  CHECKs it cannot express, triggers, views, row-level security, roles and grants are degradations.
- **Indexes.** Every index of plain columns without WHERE and every unique constraint; a unique index on a
  nullable field is partial (``$type``), as PostgreSQL lets NULLs repeat; indexes of embedded tables are
  multikey indexes on ``parent.field`` (a unique one would be unique across parents only: reported).

No MongoDB server runs here: tests/test_mongodb.py proves the validators with a JSON Schema validator
(rows PostgreSQL accepted pass, violating documents fail) and the script with ``node --check`` and a run
against a recording stand-in for ``db``; docs/mongodb.md says what was and was not proven.
"""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import inflection

from schemawright.datagen.rules import ColumnRules, table_rules
from schemawright.dialects.base import Degradation
from schemawright.escape import md_cell, md_text, safe_name
from schemawright.model.schema import FkAction, Schema, Table
from schemawright.model.types import DataType, Kind
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.ts_common import connection, enum_values, ts_comment, ts_str

singular = inflection.singularize

ROOT = "models/mongodb"
PLAN_PATH = f"{ROOT}/collections.json"
BSON = {Kind.SMALLINT: "int", Kind.INTEGER: "int", Kind.BIGINT: "long", Kind.NUMERIC: "decimal",
        Kind.MONEY: "decimal", Kind.REAL: "double", Kind.DOUBLE: "double", Kind.BOOLEAN: "bool",
        Kind.DATE: "date", Kind.TIMESTAMP: "date", Kind.TIMESTAMPTZ: "date", Kind.JSON: "object",
        Kind.JSONB: "object", Kind.BYTEA: "binData"}  # everything else: string
POSIX = {"[:space:]": r"\s", "[:digit:]": "0-9", "[:alpha:]": "A-Za-z", "[:alnum:]": "A-Za-z0-9",
         "[:upper:]": "A-Z", "[:lower:]": "a-z", "[:xdigit:]": "0-9A-Fa-f", "[:punct:]": r"!-/:-@\[-`{-~",
         "[:blank:]": r" \t", "[:word:]": r"\w"}
MAX_EMBEDDED_PER_PARENT = 1000  # expected child rows per parent above which an array is not embedded


@dataclasses.dataclass
class Embedding:
    table: str
    parent: str
    field: str  # the array field in the parent's documents
    fk_column: str  # left out of the embedded documents (the parent holds them)
    why: str


def pattern(regex: str, ignore_case: bool) -> str:
    for posix, escape in POSIX.items():
        regex = regex.replace(posix, escape)
    return ("(?i)" if ignore_case else "") + regex


def _number(v: Decimal) -> int | float:
    return int(v) if v == v.to_integral_value() else float(v)


def bson_type(t: DataType) -> str:
    return "array" if t.array_dims else BSON.get(t.kind, "string")


def owner(t: Table, names: set[str]):
    """The foreign key to the one parent that owns ``t``'s rows, or None: its single NOT NULL foreign key
    with ON DELETE CASCADE or, for a child table, the NOT NULL one whose parent names it (``order_items`` ->
    ``orders``) or its only NOT NULL one."""
    required = {c.name for c in t.columns if not c.nullable}
    cands = [fk for fk in t.foreign_keys if len(fk.columns) == 1 and fk.columns[0] in required
             and fk.ref_table in names and fk.ref_table != t.name]
    cascade = [fk for fk in cands if fk.on_delete is FkAction.CASCADE]
    if len(cascade) == 1:
        return cascade[0]
    if t.kind != "child" or not cands:
        return None
    named = [fk for fk in cands if t.name.startswith(singular(fk.ref_table))]
    return named[0] if len(named) == 1 else cands[0] if len(cands) == 1 else None


def plan_embedding(schema: Schema) -> tuple[dict[str, Embedding], dict[str, str]]:
    """Embedded tables (by name) and, for every table kept as a collection, why."""
    referenced = {fk.ref_table for _, fk in schema.all_foreign_keys()}
    queries = [(q.name, (q.sql or "").lower()) for q in schema.facts.query_patterns]
    names = {t.name for t in schema.tables}
    embedded: dict[str, Embedding] = {}
    kept: dict[str, str] = {}
    for t in schema.tables:
        fk = owner(t, names)
        if fk is None:
            kept[t.name] = "a collection: not owned by one parent"
            continue
        parent = schema.table(fk.ref_table)
        mentions = [(n, text) for n, text in queries if re.search(rf"\b{re.escape(t.name.lower())}\b", text)]
        together = [n for n, text in mentions if re.search(rf"\b{re.escape(parent.name.lower())}\b", text)]
        alone = [n for n, text in mentions if n not in together]
        per_parent = (t.estimated_rows or 0) / max(1, parent.estimated_rows or 1)
        if t.name in referenced:
            kept[t.name] = "a collection: other tables reference its rows"
        elif t.partitioning is not None:
            kept[t.name] = "a collection: partitioned (it grows without bound)"
        elif alone:
            kept[t.name] = f"a collection referencing {parent.name}: query pattern {alone[0]} reads it on its own"
        elif per_parent > MAX_EMBEDDED_PER_PARENT:
            kept[t.name] = (f"a collection referencing {parent.name}: about {per_parent:.0f} rows per parent would "
                            "make unbounded arrays")
        elif parent.name in embedded:
            kept[t.name] = f"a collection referencing {parent.name}: its parent is itself embedded"
        elif t.kind == "child" or together:
            why = (f"owned by one {parent.name} ({fk.columns[0]} NOT NULL, ON DELETE {fk.on_delete.value}) and read with it"
                   + (f" (query pattern {together[0]})" if together else " (a child table)"))
            prefix = singular(parent.name) + "_"
            field = t.name[len(prefix):] if t.name.startswith(prefix) and len(t.name) > len(prefix) else t.name
            taken = {c.name for c in parent.columns}
            while field in taken:
                field += "_items"
            embedded[t.name] = Embedding(t.name, parent.name, field, fk.columns[0], why)
        else:
            kept[t.name] = f"a collection referencing {parent.name}: a {t.kind} table with a life of its own"
    # a table whose children are embedded cannot itself be embedded (one level of nesting, readable arrays)
    for name in [n for n, e in embedded.items() if any(x.parent == n for x in embedded.values())]:
        e = embedded.pop(name)
        kept[name] = f"a collection referencing {e.parent}: its own children are embedded in it"
    for name in list(embedded):
        if embedded[name].parent in embedded:  # never two levels
            e = embedded.pop(name)
            kept[name] = f"a collection referencing {e.parent}"
    return embedded, kept


class Mapping:
    """The model mapped to MongoDB: validators, indexes, embeddings and what was lost."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self.embedded, self.kept = plan_embedding(schema)
        self.degradations: list[Degradation] = []
        self.validators: dict[str, dict] = {}
        self.indexes: dict[str, list[dict]] = {}
        for t in schema.tables:
            if t.name not in self.embedded:
                self.validators[t.name] = {"$jsonSchema": self.document(t, top=True)}
                self.indexes[t.name] = self._indexes(t)
        for t in schema.tables:
            if t.name in self.embedded:
                e = self.embedded[t.name]
                self.indexes[e.parent] += self._indexes(t, prefix=e.field + ".")
        self._losses()

    def id_column(self, t: Table) -> str | None:
        pk = t.primary_key.columns if t.primary_key else ()
        return pk[0] if len(pk) == 1 else None

    def field(self, t: Table, column: str, top: bool) -> str:
        return "_id" if top and column == self.id_column(t) else column

    def document(self, t: Table, top: bool) -> dict:
        rules = table_rules(t)
        skip = self.embedded[t.name].fk_column if t.name in self.embedded else None
        props: dict[str, dict] = {}
        required = []
        if top and self.id_column(t) is None:
            props["_id"] = {"bsonType": "objectId"}
        for c in t.columns:
            if c.name == skip:
                continue
            name = self.field(t, c.name, top)
            props[name] = self.property(t, c, rules.get(c.name, ColumnRules()))
            if not c.nullable:
                required.append(name)
        for child in self.schema.tables:
            e = self.embedded.get(child.name)
            if e and e.parent == t.name:
                props[e.field] = {"bsonType": "array", "description": f"embedded {child.name}: {e.why}",
                                  "items": self.document(child, top=False)}
        out: dict = {"bsonType": "object", "title": t.name}
        if required:
            out["required"] = required
        out["properties"] = props
        out["additionalProperties"] = False
        return out

    def property(self, t: Table, c, rules: ColumnRules) -> dict:
        prop: dict = {}
        base = bson_type(c.type)
        prop["bsonType"] = [base, "null"] if c.nullable else base
        if c.comment:
            prop["description"] = c.comment
        target = prop
        if c.type.array_dims:
            item = {"bsonType": BSON.get(c.type.kind, "string")}
            prop["items"] = item
            target = item
        values = enum_values(self.schema, c.type)
        if values is None and rules.values is not None:
            values = [_number(Decimal(v)) if target["bsonType"] in ("int", "long", "double", "decimal") else v
                      for v in rules.values]
        if values is not None:
            target["enum"] = list(values) + ([None] if c.nullable and not c.type.array_dims else [])
        kind = target["bsonType"] if isinstance(target["bsonType"], str) else base
        if kind in ("int", "long", "double", "decimal"):
            if rules.lo is not None:
                target["minimum"] = _number(rules.lo)
                if rules.lo_strict:
                    target["exclusiveMinimum"] = True
            if rules.hi is not None:
                target["maximum"] = _number(rules.hi)
                if rules.hi_strict:
                    target["exclusiveMaximum"] = True
        if kind == "string":
            if c.type.kind is Kind.VARCHAR and c.type.length:
                target["maxLength"] = c.type.length
            patterns = [pattern(p, ci) for p, ci in rules.patterns]
            if len(patterns) == 1:
                target["pattern"] = patterns[0]
            elif patterns:
                target["allOf"] = [{"pattern": p} for p in patterns]
            if c.type.kind is Kind.UUID:
                target["pattern"] = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        return prop

    def _indexes(self, t: Table, prefix: str = "") -> list[dict]:
        top = not prefix
        nullable = {c.name for c in t.columns if c.nullable}
        types = {c.name: bson_type(c.type) for c in t.columns}
        out, seen = [], set()
        keys = [(u.name, u.columns, True) for u in t.uniques]
        if t.primary_key and len(t.primary_key.columns) > 1:
            keys.insert(0, (t.primary_key.name, t.primary_key.columns, True))
        elif t.primary_key and not top:
            keys.insert(0, (t.primary_key.name, t.primary_key.columns, True))
        for ix in t.indexes:
            if ix.where is not None or not all(e.column for e in ix.elements):
                self.degradations.append(Degradation(
                    "index", f"{t.name}.{ix.name}", "partial or expression index: no $jsonSchema-era equivalent kept",
                    "the application's queries; add a partialFilterExpression by hand if needed"))
                continue
            keys.append((ix.name, tuple((e.column, -1 if e.descending else 1) for e in ix.elements), ix.unique))
        skip = self.embedded[t.name].fk_column if t.name in self.embedded else None
        for name, cols, unique in keys:
            spec = [(c, 1) if isinstance(c, str) else c for c in cols]
            spec = [(c, d) for c, d in spec if c != skip]  # the parent link is the nesting itself
            if not spec:
                continue
            fields = tuple((prefix + self.field(t, c, top), d) for c, d in spec)
            if fields in seen or fields == (("_id", 1),):
                continue
            seen.add(fields)
            if unique and not top:
                self.degradations.append(Degradation(
                    "unique", f"{t.name}.{name}", "an index on an embedded array is unique across documents, "
                    "not within one parent's array", "a non-unique multikey index; the application keeps the "
                    "array's entries distinct"))
                unique = False
            options: dict = {"name": name}
            if unique:
                options["unique"] = True
                maybe_null = [c for c, _ in spec if c in nullable]
                if maybe_null:  # PostgreSQL lets NULLs repeat in a unique key: index only the documents with values
                    options["partialFilterExpression"] = {prefix + self.field(t, c, top): {"$type": types[c]}
                                                          for c in maybe_null}
            out.append({"keys": dict(fields), "options": options})
        return out

    def _losses(self) -> None:
        s = self.schema
        for t in s.tables:
            for ck in t.checks:
                if not self._translated(t, ck):
                    self.degradations.append(Degradation(
                        "check", f"{t.name}.{ck.name}", f"not expressible per field in $jsonSchema: {ck.expression.sql}",
                        "the application (or a $expr validator written by hand)"))
            for fk in t.foreign_keys:
                e = self.embedded.get(t.name)
                if e and fk.columns == (e.fk_column,):
                    continue
                self.degradations.append(Degradation(
                    "foreign_key", f"{t.name}.{fk.name}", "MongoDB does not enforce references",
                    f"field {', '.join(fk.columns)} holds the {fk.ref_table} document's key; the application "
                    f"checks it (ON DELETE {fk.on_delete.value.upper()} included)"))
            for trg in t.triggers:
                self.degradations.append(Degradation("trigger", f"{t.name}.{trg.name}", "no triggers in MongoDB",
                                                     "the application, or a change stream"))
            for x in t.exclusions:
                self.degradations.append(Degradation("exclusion", f"{t.name}.{x.name}", "no exclusion constraints",
                                                     None))
            if t.rls_enabled:
                self.degradations.append(Degradation("rls", t.name, "no row-level security in MongoDB",
                                                     "the application filters by tenant/user; MongoDB roles per "
                                                     "collection"))
            for c in t.columns:
                if c.default is not None:
                    self.degradations.append(Degradation("default", f"{t.name}.{c.name}", "no column defaults",
                                                         f"the application (or Mongoose default) sets {c.default.sql}"))
        for v in s.views:
            self.degradations.append(Degradation("view", v.name, "a SQL view", "db.createView with an aggregation "
                                                 "pipeline, written by hand"))
        if s.roles:
            self.degradations.append(Degradation("role", ", ".join(r.name for r in s.roles),
                                                 "PostgreSQL roles and grants", "MongoDB users and roles, by hand"))

    def _translated(self, t: Table, check) -> bool:
        if len(check.columns) != 1:
            return False
        r = table_rules(dataclasses.replace(t, checks=[check])).get(check.columns[0])
        return bool(r) and not (r.after or r.derived is not None or r.differs) and bool(
            r.values is not None or r.lo is not None or r.hi is not None or r.patterns)


SCRIPT_HEAD = """// MongoDB collections of {project}: $jsonSchema validators and indexes. Generated by schemawright.
// Run: mongosh "$MONGODB_URI" create_collections.js   (the database: MONGODB_DB, default {db})
// Re-runnable: an existing collection gets its validator replaced (collMod); indexes are created if missing.
"use strict";
const database = db.getSiblingDB((typeof process !== "undefined" && process.env.MONGODB_DB) || {db_literal});
const existing = database.getCollectionNames();

function ensureCollection(name, validator) {{
  if (existing.includes(name)) {{
    database.runCommand({{ collMod: name, validator: validator, validationLevel: "strict", validationAction: "error" }});
  }} else {{
    database.createCollection(name, {{ validator: validator, validationLevel: "strict", validationAction: "error" }});
  }}
}}
"""


def _js(value) -> str:
    return json.dumps(value, ensure_ascii=True, indent=2)


class MongoDB(Renderer):
    name = "mongodb"
    dialects = ("mongodb",)
    skip_reason = "written for database_type: mongodb only"

    def applies(self, ctx: RenderContext) -> bool:
        return False  # not a loss on other targets: it is the MongoDB output

    def render(self, ctx: RenderContext) -> list[Artifact]:
        m = Mapping(ctx.schema)
        ctx.degradations.extend(m.degradations)
        db = safe_name(ctx.schema.facts.project.name)
        lines = [SCRIPT_HEAD.format(project=ts_comment(ctx.schema.facts.project.name), db=db, db_literal=ts_str(db))]
        for name, validator in m.validators.items():
            lines.append(f"// {ts_comment(m.kept[name])}")
            lines.append(f"ensureCollection({ts_str(name)}, {_js(validator)});")
            for ix in m.indexes[name]:
                lines.append(f"database.getCollection({ts_str(name)}).createIndex({json.dumps(ix['keys'])}, "
                             f"{json.dumps(ix['options'], ensure_ascii=True)});")
            lines.append("")
        plan = {"collections": [{"name": n, "why": m.kept[n], "indexes": m.indexes[n]} for n in m.validators],
                "embedded": [dataclasses.asdict(e) for e in m.embedded.values()],
                "id_fields": {t.name: m.id_column(t) for t in ctx.schema.tables}}
        artifacts = [
            Artifact(f"{ROOT}/create_collections.js", "\n".join(lines), "script",
                     "mongosh script: collections with $jsonSchema validators and their indexes"),
            Artifact(PLAN_PATH, json.dumps(plan, indent=2, ensure_ascii=False) + "\n", "schema",
                     "Collections, embedded tables and indexes, with the reason for each decision"),
        ]
        artifacts += [Artifact(f"{ROOT}/validators/{name}.json", json.dumps(v, indent=2, ensure_ascii=False) + "\n",
                               "schema", f"$jsonSchema validator of {name}") for name, v in m.validators.items()]
        artifacts.append(Artifact("docs/mongodb.md", self._doc(ctx, m), "doc",
                                  "The MongoDB mapping: embed-vs-reference decisions and what was proven"))
        return artifacts

    def _doc(self, ctx: RenderContext, m: Mapping) -> str:
        c = connection(ctx)
        lines = [f"# {md_text(ctx.schema.facts.project.name)} on MongoDB", "",
                 "`models/mongodb/create_collections.js` (mongosh) creates every collection with its `$jsonSchema`",
                 "validator (validationLevel strict, validationAction error) and its indexes; "
                 "`models/orm/mongoose/` holds the Mongoose schemas and the connection "
                 f"(MONGODB_URI from the environment, maxPoolSize {c.pool}"
                 f"{', TLS required' if c.ssl else ''}, timeouts).", "",
                 "## Collections", "", "| collection | decision |", "|---|---|"]
        lines += [f"| {md_cell(n)} | {md_cell(m.kept[n])} |" for n in m.validators]
        lines += ["", "## Embedded tables", ""]
        lines += ["| table | embedded in | as | why |", "|---|---|---|---|"] if m.embedded else ["None."]
        lines += [f"| {md_cell(e.table)} | {md_cell(e.parent)} | `{md_cell(e.field)}[]` | {md_cell(e.why)} |"
                  for e in m.embedded.values()]
        lines += ["", "## What was and was not proven", "",
                  "No MongoDB server is available where schemawright is tested. Proven (tests/test_mongodb.py):", "",
                  "- every validator uses only keywords MongoDB's `$jsonSchema` accepts and is valid JSON Schema "
                  "(draft 4, MongoDB's dialect);",
                  "- rows PostgreSQL accepted for the same design, turned into documents (embedded children "
                  "included), pass the validators under a JSON Schema validator that knows the BSON types; "
                  "documents missing a required field, with a wrong type, a value outside an enum, a bound or a "
                  "pattern fail;",
                  "- the mongosh script parses (`node --check`) and, run against a recording stand-in for `db`, "
                  "creates exactly these validators and indexes;",
                  "- the Mongoose schemas type-check (`tsc --noEmit`) against mongoose's typings and, compiled, "
                  "accept the same documents and refuse the same violations (`validateSync`).", "",
                  "Not proven: the script against a real server (index builds, collMod on existing data), "
                  "MongoDB's own regex engine (PCRE) on the patterns (written with escapes rather than POSIX "
                  "classes so both engines read them alike), and performance.", "",
                  f"See docs/dialect.md for the {len(m.degradations)} degradations (foreign keys, CHECKs, defaults, "
                  "triggers, views, roles ...), each with what replaces it."]
        return "\n".join(lines) + "\n"
