"""The data dictionary (seed 004's template), the ER diagram (Mermaid), the logical model (DBML)
and the connection template (.env.example)."""

from __future__ import annotations

import re

from schemawright.dialects import type_sql
from schemawright.model.schema import Schema, Table
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.erd_image import FULL_LIMIT, graphviz_missing, qualified
from schemawright.escape import (
    dbml_default,
    dbml_name,
    dbml_string,
    env_value,
    md_cell,
    md_text,
    mermaid_entity,
    mermaid_label,
    mermaid_word,
    safe_name,
)


# What the dictionary says where neither the input nor a comment in the database describes an object:
# the gap is stated, never filled with the humanized name.
NO_DESCRIPTION = "(not described: no description in the source)"


def _table_section(schema: Schema, t: Table) -> list[str]:
    # Names bare as in seed 004's template; md_cell keeps any text from adding markup or columns.
    cols = lambda names: md_cell(", ".join(names))  # noqa: E731
    lines = [f"## Table: {md_text(qualified(t.schema, t.name))}", "", "### Description", "",
             md_text(t.comment) if t.comment else NO_DESCRIPTION, "",
             "### Columns", "", "| Column | Type | Nullable | Default | Description |", "|---|---|---|---|---|"]
    for c in t.columns:
        flags = " (PII)" if c.pii else ""
        flags += " (encrypted)" if c.encrypt else ""
        lines.append(f"| {md_cell(c.name)} | {md_cell(type_sql(c.type).upper())} | {'YES' if c.nullable else 'NO'} | "
                     f"{md_cell(str(c.default)) if c.default else '-'} | {md_cell(c.comment or NO_DESCRIPTION)}{flags} |")
    lines += ["", "### Indexes", "", "| Name | Columns | Type | Description |", "|---|---|---|---|"]
    if t.primary_key:
        lines.append(f"| {md_cell(t.primary_key.name)} | {cols(t.primary_key.columns)} | PRIMARY | Primary key |")
    for u in t.uniques:
        lines.append(f"| {md_cell(u.name)} | {cols(u.columns)} | UNIQUE | Unique constraint |")
    for ix in t.indexes:
        kind = ("UNIQUE " if ix.unique else "") + str(ix.method).upper()
        extra = f" WHERE {ix.where}" if ix.where else ""
        lines.append(f"| {md_cell(ix.name)} | {md_cell(', '.join(ix.columns) + extra)} | {kind} | "
                     f"{md_cell(ix.comment or ix.origin.reason or '')} |")
    lines += ["", "### Foreign Keys", "", "| Name | Column | References | On Delete |", "|---|---|---|---|"]
    if not t.foreign_keys:
        lines.append("| - | - | - | - |")
    for fk in t.foreign_keys:
        lines.append(f"| {md_cell(fk.name)} | {cols(fk.columns)} | {md_cell(qualified(fk.ref_schema or t.schema, fk.ref_table))}"
                     f"({cols(fk.ref_columns)}) | "
                     f"{fk.on_delete} |")
    lines += ["", "### Constraints", "", "| Name | Type | Condition |", "|---|---|---|"]
    if not t.checks and not t.exclusions:
        lines.append("| - | - | - |")
    for ck in t.checks:
        lines.append(f"| {md_cell(ck.name)} | CHECK | {md_cell(str(ck.expression))} |")
    for x in t.exclusions:
        elements = ", ".join(f"{e.label} WITH {e.operator}" for e in x.elements)
        where = f" WHERE {x.where}" if x.where is not None else ""
        lines.append(f"| {md_cell(x.name)} | EXCLUDE USING {x.method.upper()} | {md_cell(elements + where)} |")
    if t.triggers:
        lines += ["", "### Triggers", "", "| Name | When | Function |", "|---|---|---|"]
        lines += [f"| {md_cell(tr.name)} | {'CONSTRAINT ' if tr.constraint else ''}{tr.timing} "
                  f"{' OR '.join(tr.events)}{' (deferred to commit)' if tr.initially_deferred else ''} | "
                  f"{md_cell(tr.function + '()')} |" for tr in t.triggers]
    return lines + [""]


def _mermaid(schema: Schema) -> str:
    """The erDiagram: entities quoted, attribute names and types as plain words with the exact name
    as the attribute's comment when the word differs (escape.py)."""
    lines = ["erDiagram"]
    for t in schema.tables:
        lines.append(f"    {mermaid_entity(qualified(t.schema, t.name))} {{")
        keys = set(t.primary_key.columns if t.primary_key else ())
        fks = {c for fk in t.foreign_keys for c in fk.columns}
        for c in t.columns:
            mark = ",".join(m for m, on in (("PK", c.name in keys), ("FK", c.name in fks)) if on)
            type_name, _ = mermaid_word(type_sql(c.type).split("(")[0].replace("[]", "_array").replace('"', ""))
            word, exact = mermaid_word(c.name)
            lines.append(f"        {type_name} {word}{' ' + mark if mark else ''}{' ' + exact if exact else ''}")
        lines.append("    }")
    for t in schema.tables:
        uniques = {u.columns for u in t.uniques}
        for fk in t.foreign_keys:
            optional = any(t.column(c).nullable for c in fk.columns)
            one = fk.columns in uniques or (t.primary_key and fk.columns == t.primary_key.columns)
            left = "|o" if optional else "||"
            right = "o|" if one else "o{"
            lines.append(f"    {mermaid_entity(qualified(fk.ref_schema or t.schema, fk.ref_table))} {left}--{right} "
                         f"{mermaid_entity(qualified(t.schema, t.name))} : "
                         f"{mermaid_label(', '.join(fk.columns))}")
    return "\n".join(lines) + "\n"


_DBML_PLAIN_TYPE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(\(\d+(,\d+)?\))?")


def _dbml_type(sql_type: str) -> str:
    """A column type as dbdiagram's tools read it back: ``numeric(12,2)`` bare (dbml2sql keeps a quoted
    ``"numeric(12, 2)"`` quoted, an invalid type), types with spaces, arrays or a schema quoted (dbml2sql
    writes those without the quotes)."""
    compact = re.sub(r",\s+", ",", sql_type.replace('"', ""))
    return compact if _DBML_PLAIN_TYPE.fullmatch(compact) else f'"{compact}"'


def _dbml(schema: Schema) -> str:
    """The logical model in DBML: every name double-quoted, notes and string defaults escaped, a
    default DBML cannot spell (an expression holding a backtick) carried in the column's note."""
    out = []
    n = dbml_name
    for e in schema.enums:  # the types enum columns name (dbml2sql creates them)
        if all('"' not in v and "\n" not in v for v in e.values):
            out.append(f"Enum {n(e.name)} {{\n" + "".join(f"  {n(v)}\n" for v in e.values) + "}\n")
    for t in schema.tables:
        out.append(f"Table {n(t.name)} {{")
        keys = set(t.primary_key.columns if t.primary_key and len(t.primary_key.columns) == 1 else ())
        single_unique = {u.columns[0] for u in t.uniques if len(u.columns) == 1}
        for c in t.columns:
            settings = [s for s, on in (("pk", c.name in keys), ("not null", not c.nullable and c.name not in keys),
                                        ("unique", c.name in single_unique)) if on]
            note = c.comment or ""
            if c.default is not None:
                default = dbml_default(str(c.default))
                if default is None:
                    note = (note + "\n" if note else "") + f"default: {c.default}"
                else:
                    settings.append(default)
            if note:
                settings.append("note: " + dbml_string(note))
            attrs = f" [{', '.join(settings)}]" if settings else ""
            out.append(f"  {n(c.name)} {_dbml_type(type_sql(c.type))}{attrs}")
        composite = t.primary_key and len(t.primary_key.columns) > 1
        multi_unique = [u for u in t.uniques if len(u.columns) > 1]  # composite foreign keys point at them
        if composite or t.indexes or multi_unique:
            out.append("  indexes {")
            if composite:
                out.append(f"    ({', '.join(n(c) for c in t.primary_key.columns)}) [pk]")
            for u in multi_unique:
                out.append(f"    ({', '.join(n(c) for c in u.columns)}) [unique, name: {dbml_string(u.name)}]")
            for ix in t.indexes:
                cols = ", ".join(n(c) if c in {col.name for col in t.columns} else f"`{c}`" if "`" not in c
                                 else dbml_string(c) for c in ix.columns)
                opts = [f"name: {dbml_string(ix.name)}"] + (["unique"] if ix.unique else []) + (
                    [f"type: {ix.method}"] if str(ix.method) in ("btree", "hash") else [])
                out.append(f"    ({cols}) [{', '.join(opts)}]")
            out.append("  }")
        out.append("}\n")
    for t in schema.tables:
        for fk in t.foreign_keys:
            out.append(f"Ref {n(fk.name)}: {n(t.name)}.({', '.join(n(c) for c in fk.columns)}) > {n(fk.ref_table)}.("
                       f"{', '.join(n(c) for c in fk.ref_columns)}) [delete: {str(fk.on_delete).lower()}]")
    return "\n".join(out) + "\n"


class Dictionary(Renderer):
    name = "dictionary"
    skip_reason = "the data dictionary, ERD, DBML and .env name PostgreSQL types and URLs"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        s = ctx.schema
        dictionary = [f"# Data dictionary: {md_text(ctx.schema.facts.project.name)}", "",
                      "Every table, column, index, key and constraint of the design (seed 004 template).", ""]
        for t in s.tables:
            dictionary += _table_section(s, t)
        if s.views:
            dictionary += ["## Views", "", "| Name | Kind | Description |", "|---|---|---|"]
            dictionary += [f"| {md_cell(qualified(v.schema, v.name))} | {'MATERIALIZED VIEW' if v.materialized else 'VIEW'} | "
                           f"{md_cell(v.comment or NO_DESCRIPTION)} |" for v in s.views] + [""]
            for v in s.views:
                dictionary += [f"### View: {md_text(qualified(v.schema, v.name))}", "", "```sql",
                               str(v.query).replace("```", "` ` `").strip(), "```", ""]
        missing = graphviz_missing()
        image = ([f"Graphviz could not draw the images here: {md_text(missing)}", ""] if missing else
                 ["The diagram as images: [erd.png](erd.png), [erd.svg](erd.svg); Graphviz source: erd.dot."
                  + (" One diagram per domain with every column: docs/erd/." if len(s.tables) > FULL_LIMIT else ""), ""])
        erd = ["# Entity-relationship diagram", "", *image,
               "Mermaid source (GitHub and most Markdown viewers render it).", "", "```mermaid",
               _mermaid(s).rstrip("\n"), "```", ""]
        app_role = s.role("app")
        # Only [a-z0-9_] names reach the URL (checked by env_value), so sourcing the file runs nothing;
        # ${APP_DB_PASSWORD} is the one expansion, meant for the reader.
        user = env_value(app_role.name if app_role else "APP_USER")
        database = env_value(safe_name(ctx.schema.facts.project.name))
        env = ["# Connection settings for the application (copy to .env; never commit real values).",
               f"DATABASE_URL=postgresql://{user}:${{APP_DB_PASSWORD}}@localhost:5432/{database}",
               "# Supplied by your secret store at deploy time:", "APP_DB_PASSWORD=", ""]
        return [
            Artifact("docs/data_dictionary.md", "\n".join(dictionary), "doc", "Complete field documentation"),
            Artifact("docs/erd.md", "\n".join(erd), "doc", "Entity-relationship diagram (Mermaid)"),
            Artifact("models/logical/logical_model.dbml", _dbml(s), "doc", "Logical model in DBML (dbdiagram.io)"),
            Artifact(".env.example", "\n".join(env), "doc", "Connection string template (placeholders only)"),
        ]
