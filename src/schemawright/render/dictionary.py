"""The data dictionary (seed 004's template), the ER diagram (Mermaid), the logical model (DBML)
and the connection template (.env.example)."""

from __future__ import annotations

from schemawright.dialects import type_sql
from schemawright.model.schema import Schema, Table
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.docs import md_escape


def _table_section(schema: Schema, t: Table) -> list[str]:
    lines = [f"## Table: {t.name}", "", "### Description", "", t.comment or "-", "",
             "### Columns", "", "| Column | Type | Nullable | Default | Description |", "|---|---|---|---|---|"]
    for c in t.columns:
        flags = " (PII)" if c.pii else ""
        flags += " (encrypted)" if c.encrypt else ""
        lines.append(f"| {c.name} | {type_sql(c.type).upper()} | {'YES' if c.nullable else 'NO'} | "
                     f"{md_escape(str(c.default)) if c.default else '-'} | {md_escape(c.comment or '')}{flags} |")
    lines += ["", "### Indexes", "", "| Name | Columns | Type | Description |", "|---|---|---|---|"]
    if t.primary_key:
        lines.append(f"| {t.primary_key.name} | {', '.join(t.primary_key.columns)} | PRIMARY | Primary key |")
    for u in t.uniques:
        lines.append(f"| {u.name} | {', '.join(u.columns)} | UNIQUE | Unique constraint |")
    for ix in t.indexes:
        kind = ("UNIQUE " if ix.unique else "") + str(ix.method).upper()
        extra = f" WHERE {ix.where}" if ix.where else ""
        lines.append(f"| {ix.name} | {md_escape(', '.join(ix.columns))}{md_escape(extra)} | {kind} | "
                     f"{md_escape(ix.comment or ix.origin.reason or '')} |")
    lines += ["", "### Foreign Keys", "", "| Name | Column | References | On Delete |", "|---|---|---|---|"]
    if not t.foreign_keys:
        lines.append("| - | - | - | - |")
    for fk in t.foreign_keys:
        lines.append(f"| {fk.name} | {', '.join(fk.columns)} | {fk.ref_table}({', '.join(fk.ref_columns)}) | "
                     f"{fk.on_delete} |")
    lines += ["", "### Constraints", "", "| Name | Type | Condition |", "|---|---|---|"]
    if not t.checks:
        lines.append("| - | - | - |")
    for ck in t.checks:
        lines.append(f"| {ck.name} | CHECK | {md_escape(str(ck.expression))} |")
    if t.triggers:
        lines += ["", "### Triggers", "", "| Name | When | Function |", "|---|---|---|"]
        lines += [f"| {tr.name} | {tr.timing} {' OR '.join(tr.events)} | {tr.function}() |" for tr in t.triggers]
    return lines + [""]


def _mermaid(schema: Schema) -> str:
    lines = ["erDiagram"]
    for t in schema.tables:
        lines.append(f"    {t.name} {{")
        keys = set(t.primary_key.columns if t.primary_key else ())
        fks = {c for fk in t.foreign_keys for c in fk.columns}
        for c in t.columns:
            mark = ",".join(m for m, on in (("PK", c.name in keys), ("FK", c.name in fks)) if on)
            type_name = type_sql(c.type).split("(")[0].replace(" ", "_").replace("[]", "_array").replace('"', "")
            lines.append(f"        {type_name} {c.name}{' ' + mark if mark else ''}")
        lines.append("    }")
    for t in schema.tables:
        uniques = {u.columns for u in t.uniques}
        for fk in t.foreign_keys:
            optional = any(t.column(c).nullable for c in fk.columns)
            one = fk.columns in uniques or (t.primary_key and fk.columns == t.primary_key.columns)
            left = "|o" if optional else "||"
            right = "o|" if one else "o{"
            lines.append(f"    {fk.ref_table} {left}--{right} {t.name} : \"{', '.join(fk.columns)}\"")
    return "\n".join(lines) + "\n"


def _dbml(schema: Schema) -> str:
    out = []
    for t in schema.tables:
        out.append(f"Table {t.name} {{")
        keys = set(t.primary_key.columns if t.primary_key and len(t.primary_key.columns) == 1 else ())
        single_unique = {u.columns[0] for u in t.uniques if len(u.columns) == 1}
        for c in t.columns:
            settings = [s for s, on in (("pk", c.name in keys), ("not null", not c.nullable and c.name not in keys),
                                        ("unique", c.name in single_unique)) if on]
            if c.default is not None:
                settings.append(f"default: `{c.default}`")
            if c.comment:
                settings.append("note: '" + c.comment.replace("\\", "\\\\").replace("'", "\\'") + "'")
            attrs = f" [{', '.join(settings)}]" if settings else ""
            out.append(f"  {c.name} \"{type_sql(c.type)}\"{attrs}")
        composite = t.primary_key and len(t.primary_key.columns) > 1
        if composite or t.indexes:
            out.append("  indexes {")
            if composite:
                out.append(f"    ({', '.join(t.primary_key.columns)}) [pk]")
            for ix in t.indexes:
                cols = ", ".join(ix.columns)
                opts = [f"name: '{ix.name}'"] + (["unique"] if ix.unique else []) + (
                    [f"type: {ix.method}"] if str(ix.method) in ("btree", "hash") else [])
                out.append(f"    ({cols}) [{', '.join(opts)}]")
            out.append("  }")
        out.append("}\n")
    for t in schema.tables:
        for fk in t.foreign_keys:
            out.append(f"Ref {fk.name}: {t.name}.({', '.join(fk.columns)}) > {fk.ref_table}.("
                       f"{', '.join(fk.ref_columns)}) [delete: {str(fk.on_delete).lower()}]")
    return "\n".join(out) + "\n"


class Dictionary(Renderer):
    name = "dictionary"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        s = ctx.schema
        dictionary = [f"# Data dictionary: {ctx.schema.facts.project.name}", "",
                      "Every table, column, index, key and constraint of the design (seed 004 template).", ""]
        for t in s.tables:
            dictionary += _table_section(s, t)
        if s.views:
            dictionary += ["## Views", "", "| Name | Description |", "|---|---|"]
            dictionary += [f"| {v.name} | {md_escape(v.comment or '')} |" for v in s.views] + [""]
        erd = ["# Entity-relationship diagram", "",
               "Mermaid source (GitHub and most Markdown viewers render it).", "", "```mermaid",
               _mermaid(s).rstrip("\n"), "```", ""]
        app_role = s.role("app")
        env = ["# Connection settings for the application (copy to .env; never commit real values).",
               f"DATABASE_URL=postgresql://{app_role.name if app_role else 'APP_USER'}:${{APP_DB_PASSWORD}}"
               f"@localhost:5432/{ctx.schema.facts.project.name.replace('-', '_')}",
               "# Supplied by your secret store at deploy time:", "APP_DB_PASSWORD=", ""]
        return [
            Artifact("docs/data_dictionary.md", "\n".join(dictionary), "doc", "Complete field documentation"),
            Artifact("docs/erd.md", "\n".join(erd), "doc", "Entity-relationship diagram (Mermaid)"),
            Artifact("models/logical/logical_model.dbml", _dbml(s), "doc", "Logical model in DBML (dbdiagram.io)"),
            Artifact(".env.example", "\n".join(env), "doc", "Connection string template (placeholders only)"),
        ]
