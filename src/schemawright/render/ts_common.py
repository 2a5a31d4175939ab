"""What the TypeScript/JavaScript outputs share (TypeORM, Sequelize, Prisma, Mongoose): names, literals,
the connection settings (pool size from the targets, TLS when the input asks for encryption in transit,
timeouts) and the relationships to render. Not a renderer: the ``orm_*`` modules import it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import inflection

from schemawright.model.schema import FkAction, ForeignKey, Schema, Table
from schemawright.model.types import DataType, Kind
from schemawright.render import RenderContext

# TypeORM's and Sequelize's onDelete option: the SQL words of the foreign key's action
ON_DELETE = {FkAction.CASCADE: "CASCADE", FkAction.SET_NULL: "SET NULL", FkAction.RESTRICT: "RESTRICT",
             FkAction.NO_ACTION: "NO ACTION", FkAction.SET_DEFAULT: "SET DEFAULT"}
# Names a generated class, property or relation must not take (TypeScript keywords and the ORMs' own members)
TS_RESERVED = frozenset({
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
    "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
    "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "as",
    "implements", "interface", "let", "package", "private", "protected", "public", "static", "yield", "any",
    "boolean", "constructor", "declare", "get", "module", "require", "number", "set", "string", "symbol", "type",
    "from", "of", "object", "unknown", "never", "await", "async",
    # Sequelize Model / TypeORM BaseEntity / Mongoose Document members
    "sequelize", "dataValues", "isNewRecord", "save", "reload", "destroy", "update", "get", "set", "changed",
    "previous", "increment", "decrement", "validate", "restore", "equals", "toJSON", "where", "isSoftDeleted",
    "_attributes", "_creationAttributes", "_model", "errors", "schema", "collection", "db", "model", "modelName",
    "init", "isNew",
})
CLASS_RESERVED = frozenset({"Model", "DataTypes", "Sequelize", "DataSource", "Entity", "Column", "Index", "Date",
                            "Buffer", "Object", "String", "Number", "Boolean", "Array", "Promise", "Map", "Set",
                            "Record", "Schema", "Types", "Error", "JSON", "Math", "Symbol", "Function"})


def ts_str(text: str) -> str:
    """A TypeScript/JavaScript string literal (JSON's, ASCII only: U+2028 and friends are escaped)."""
    return json.dumps(text, ensure_ascii=True)


def ts_comment(text: str) -> str:
    """Text inside a ``/* */`` or ``//`` comment: one line, and no comment terminator."""
    return re.sub(r"\s+", " ", text).replace("*/", "* /").strip()


def unique(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


def identifier(text: str) -> str:
    """A valid identifier ([A-Za-z_][A-Za-z0-9_]*) for ``text``."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", text)
    base = re.sub(r"_+", "_", base) if base.strip("_") else "field"
    if base[0].isdigit():
        base = "f_" + base
    return base


def prop_name(column: str, taken: set[str]) -> str:
    """A property name for a column (the column name when it is one; the column is mapped by name)."""
    base = identifier(column)
    if base in TS_RESERVED or base.startswith("_"):
        base = base.strip("_") + "_"
        if base == "_" or base[0].isdigit():
            base = "f" + base
    return unique(base, taken)


def class_names(schema: Schema) -> dict[str, str]:
    """Table name -> a singular CamelCase class name, unique and clear of the ORMs' own names."""
    taken: set[str] = set()
    out = {}
    for t in schema.tables:
        words = [w for w in re.split(r"[^A-Za-z0-9]+", t.name) if w]
        if words:
            words[-1] = inflection.singularize(words[-1])
        base = "".join(w[:1].upper() + w[1:] for w in words) or "Table"
        if base[0].isdigit() or base in CLASS_RESERVED or base.lower() in TS_RESERVED:
            base = "T" + base
        out[t.name] = unique(base, taken)
    return out


def enum_values(schema: Schema, t: DataType) -> tuple[str, ...] | None:
    if t.kind is Kind.ENUM and t.name:
        e = schema.enum(t.name.split(".")[-1])
        return e.values if e else None
    return None


def ts_type(schema: Schema, t: DataType) -> str:
    """The TypeScript type of a column's values as node-postgres returns them."""
    values = enum_values(schema, t)
    k = t.kind
    if values:
        base = " | ".join(ts_str(v) for v in values)
        base = f"({base})" if t.array_dims else base
    elif k in (Kind.SMALLINT, Kind.INTEGER, Kind.REAL, Kind.DOUBLE):
        base = "number"
    elif k is Kind.BOOLEAN:
        base = "boolean"
    elif k in (Kind.TIMESTAMP, Kind.TIMESTAMPTZ):
        base = "Date"
    elif k in (Kind.JSON, Kind.JSONB):
        base = "unknown"
    elif k is Kind.BYTEA:
        base = "Buffer"
    else:  # bigint and numeric come back as strings (no precision lost), dates/times/uuid/text as strings
        base = "string"
    return base + "[]" * t.array_dims


@dataclass(frozen=True, slots=True)
class Link:
    """A single-column foreign key rendered as a relation: child table.column -> parent table.column."""

    table: Table
    fk: ForeignKey
    one_to_one: bool  # the child's key columns are unique: one child per parent


def links(schema: Schema) -> list[Link]:
    """The foreign keys every ORM renders as relations (single column, to a table of the design); the
    others stay plain columns, said in each output's header."""
    names = {t.name for t in schema.tables}
    out = []
    for t in schema.tables:
        keys = {tuple(u.columns) for u in t.uniques}
        keys |= {tuple(ix.columns) for ix in t.indexes if ix.unique and ix.where is None
                 and all(e.column for e in ix.elements)}
        if t.primary_key:
            keys.add(tuple(t.primary_key.columns))
        for fk in t.foreign_keys:
            if len(fk.columns) == 1 and fk.ref_table in names and (fk.ref_schema in (None, t.schema)):
                out.append(Link(t, fk, tuple(fk.columns) in keys))
    return out


def relation_stem(column: str) -> str:
    """``customer_id`` -> ``customer``: the relation's name from its column."""
    stem = re.sub(r"_(id|uuid|key|code|ref)$", "", column, flags=re.I)
    return stem if stem and stem != column else column + "_ref"


def plural(word: str) -> str:
    return inflection.pluralize(word)


@dataclass(frozen=True, slots=True)
class Connection:
    pool: int
    ssl: bool  # TLS required (encryption_requirements.in_transit)
    database: str
    connect_timeout_ms: int = 10_000
    statement_timeout_ms: int = 30_000
    idle_timeout_ms: int = 60_000


def connection(ctx: RenderContext) -> Connection:
    from schemawright.escape import safe_name
    from schemawright.render.tuning_config import sizing

    security = ctx.schema.facts.security
    return Connection(pool=sizing(ctx).pool, ssl=bool(security and security.in_transit),
                      database=safe_name(ctx.schema.facts.project.name))


TSCONFIG = """{
  "compilerOptions": {
    "target": "ES2021",
    "module": "commonjs",
    "moduleResolution": "node",
    "lib": ["ES2021"],
    "strict": true,
    "esModuleInterop": true,
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "skipLibCheck": true,
    "outDir": "dist"
  },
  "include": ["*.ts"]
}
"""


def package_json(name: str, dependencies: dict[str, str]) -> str:
    deps = {"typescript": "^5.4.0", "@types/node": "^20.0.0", **dependencies}
    return json.dumps({"name": name, "private": True, "version": "0.0.0",
                       "scripts": {"typecheck": "tsc --noEmit"}, "dependencies": dict(sorted(deps.items()))},
                      indent=2) + "\n"


def plan_relations(schema: Schema, taken: dict[str, set[str]], name_of=None) -> list[tuple[Link, str, str]]:
    """(link, relation name on the child, inverse name on the parent) for every link; ``taken``: the names
    already used per table (its properties), extended with the relations'. ``name_of``: how a stem
    becomes a name (default: ``prop_name``)."""
    name_of = name_of or (lambda stem: prop_name(stem, set()))
    rels = links(schema)
    pairs: dict[tuple[str, str], int] = {}
    for link in rels:
        key = (link.table.name, link.fk.ref_table)
        pairs[key] = pairs.get(key, 0) + 1
    named = [(link, unique(name_of(relation_stem(link.fk.columns[0])), taken[link.table.name])) for link in rels]
    out = []
    for link, name in named:
        stem = link.table.name if link.one_to_one else plural(link.table.name)
        if pairs[(link.table.name, link.fk.ref_table)] > 1:  # several links between the two: say which
            stem = f"{stem}_by_{relation_stem(link.fk.columns[0])}"
        if link.table.name == link.fk.ref_table:
            stem = "child_" + stem
        out.append((link, name, unique(name_of(stem), taken[link.fk.ref_table])))
    return out
