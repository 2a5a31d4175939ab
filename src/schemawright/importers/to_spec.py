"""The canonical model -> a task input that designs back to the same schema.

Every convention is switched off (``conventions:`` all false) and everything is spelled out: each
attribute with its type, nullability, default, identity or generation expression; each entity's
primary key with its name; foreign keys as relationships over named columns with their actions;
unique and check constraints and indexes with their names; enums, views, functions and triggers;
comments as descriptions. ``design(to_task_input(import(X)))`` then equals ``X`` by
``model.compare.differences``. What a task input cannot carry is listed under ``x-skipped``.
"""

from __future__ import annotations

from pathlib import Path

from schemawright.importers.common import ImportResult
from schemawright.model.names import slug
from schemawright.model.schema import FkAction, Index, Schema, Table
from schemawright.model.types import Kind
from schemawright.escape import yaml_comment, yaml_document
from schemawright.spec.models import Conventions

_ACTIONS = {FkAction.CASCADE: "cascade", FkAction.RESTRICT: "restrict", FkAction.SET_NULL: "set_null",
            FkAction.SET_DEFAULT: "set_default", FkAction.NO_ACTION: "no_action"}


def to_task_input(result: ImportResult, project: str = "imported",
                  dependencies: list[dict] | None = None) -> tuple[dict, list[str]]:
    """The task input (plain data, ready for YAML/JSON) and what it could not carry."""
    schema = result.schema
    notes: list[str] = []
    tables = _entity_tables(schema, notes)
    entity_names = {(t.schema, t.name) for t in tables}
    data_model: dict = {"entities": [_entity(t, _inherited(schema, t)) for t in tables]}
    if schema.foreign_servers:
        data_model["foreign_servers"] = [_drop_none({"name": s.name, "wrapper": s.wrapper,
                                                     "options": list(s.options) or None}) for s in schema.foreign_servers]
    if schema.schema_comments:
        data_model["schemas"] = [{"name": n, "description": text} for n, text in schema.schema_comments.items()]
    if schema.enums:
        data_model["enums"] = [_drop_none({"name": e.name, "values": list(e.values), "description": e.comment,
                                           "schema": _schema(e.schema)}) for e in schema.enums]
    if schema.domains:
        data_model["domains"] = [_drop_none({
            "name": d.name, "schema": _schema(d.schema), "base_type": d.base_type, "not_null": d.not_null or None,
            "default": d.default.sql if d.default is not None else None,
            "checks": [{"name": c.name, "expression": c.expression.sql} for c in d.checks] or None,
            "collation": d.collation, "description": d.comment}) for d in schema.domains]
    if schema.composite_types:
        data_model["composite_types"] = [_drop_none({
            "name": t.name, "schema": _schema(t.schema),
            "attributes": [_composite_attribute(name, text) for name, text in t.attributes],
            "description": t.comment}) for t in schema.composite_types]
    relationships = [_relationship(t, fk) for t in tables for fk in t.foreign_keys
                     if _target_known(t, fk, entity_names, notes)]
    constraints = [c for t in tables for c in _constraints(t, _inherited(schema, t)[1])]
    indexes = [_index(t, ix) for t in tables for ix in t.indexes]
    for key, value in (("relationships", relationships), ("constraints", constraints), ("indexes", indexes)):
        if value:
            data_model[key] = value
    if schema.views:
        data_model["views"] = [_drop_none({"name": v.name, "schema": _schema(v.schema), "query": v.query,
                                           "materialized": v.materialized or None, "description": v.comment,
                                           "indexes": [{k: x for k, x in _index(v, ix).items() if k != "entity"}
                                                       for ix in v.indexes] or None, "cluster_on": v.cluster_on,
                                           "options": list(v.options) or None})
                               for v in schema.views]
    if schema.functions:
        data_model["functions"] = [_drop_none({
            "name": f.name, "schema": _schema(f.schema), "arguments": f.arguments or None, "returns": f.returns,
            "language": f.language, "volatility": f.volatility.lower(), "security_definer": f.security_definer or None,
            "strict": f.strict or None, "leakproof": f.leakproof or None,
            "parallel": f.parallel.lower() if f.parallel.upper() != "UNSAFE" else None, "cost": f.cost, "rows": f.rows,
            "settings": list(f.config) if f.config is not None and f.settings != _convention(f) else None,
            "body": f.body, "description": f.comment}) for f in schema.functions]
    if schema.aggregates:
        data_model["aggregates"] = [_drop_none({"name": a.name, "schema": _schema(a.schema), "arguments": a.arguments,
                                                "options": a.options, "description": a.comment})
                                    for a in schema.aggregates]
    if schema.extensions:
        data_model["extensions"] = list(schema.extensions)
    def label(sch: str, name: str) -> str:
        return name if sch == "public" else f"{sch}.{name}"

    notes += [f"row-level security of table {label(t.schema, t.name)} ({'forced' if t.rls_forced else 'enabled'}): "
              "not carried by the task input (security: false)" for t in tables if t.rls_enabled or t.rls_forced]
    notes += [f"policy {p.name} on {label(p.schema, p.table)} (FOR {p.command}"
              f"{' TO ' + ', '.join(p.roles) if p.roles else ''}): row-level security policies are not carried by the "
              "task input (security: false)" for p in schema.policies]
    if schema.sequences:
        data_model["sequences"] = [_sequence(s, entity_names, notes) for s in schema.sequences]
    notes += [f"comment on index {k.name} (of key {k.name} on {t.name}) is not carried: {k.index_comment!r}"
              for t in tables for k in [*([t.primary_key] if t.primary_key else []), *t.uniques, *t.exclusions]
              if k.index_comment]
    notes += [f"comment on column {v.name}.{column} of a view is not carried: {text!r}"
              for v in schema.views for column, text in v.column_comments.items()]
    skipped = result.skipped_lines + [f"skipped: {n}" for n in notes]
    spec = {"project": {"name": project, "database_type": "postgresql"},
            "conventions": {name: False for name in Conventions.model_fields},
            "data_model": data_model}
    if dependencies:  # import --profile: candidates mined from the data (importers/profile.py)
        data_model["functional_dependencies"] = dependencies
    if skipped:
        spec["x-skipped"] = skipped
    return spec, skipped


def to_yaml(result: ImportResult, source: str, project: str | None = None,
            dependencies: list[dict] | None = None) -> str:
    """The task input as YAML, with a header saying where it came from and what was skipped."""
    stem = Path(source).stem
    spec, skipped = to_task_input(result, project or (stem if slug(stem) else "imported"),  # slug: see Project.name
                                  dependencies)
    from schemawright.db.dsn import redact

    header = [f"# Task input imported by schemawright from {yaml_comment(redact(source))} ({result.source_kind}).",
              "# Every convention is off and everything is spelled out, so designing it gives back the same schema.",
              f"# {len(skipped)} statement(s) or part(s) were not carried: see x-skipped at the end." if skipped
              else "# Nothing was skipped."]
    body = yaml_document(spec)
    return "\n".join(header) + "\n" + body


def _sequence(s, entities: set[tuple[str, str]], notes: list[str]) -> dict:
    """A sequence with the options that differ from PostgreSQL's defaults for its type and direction."""
    up = s.increment > 0
    low, high = {"smallint": (-32768, 32767), "integer": (-2147483648, 2147483647)}.get(
        s.data_type, (-9223372036854775808, 9223372036854775807))
    min_default, max_default = (1, high) if up else (low, -1)
    owned_by = s.owned_by
    if owned_by and (s.schema, owned_by.rpartition(".")[0]) not in entities:
        notes.append(f"sequence {s.name}: OWNED BY {owned_by}, which is not an imported table")
        owned_by = None
    return _drop_none({
        "name": s.name, "schema": _schema(s.schema), "data_type": s.data_type if s.data_type != "bigint" else None,
        "start": s.start if s.start != (s.min_value if up else s.max_value) else None,
        "increment": s.increment if s.increment != 1 else None,
        "min_value": s.min_value if s.min_value != min_default else None,
        "max_value": s.max_value if s.max_value != max_default else None,
        "cache": s.cache if s.cache != 1 else None, "cycle": s.cycle or None, "owned_by": owned_by,
        "description": s.comment})


def _composite_attribute(name: str, text: str) -> dict:
    """An attribute of a composite type as the catalog spells it (``text COLLATE "C"``): its type and collation."""
    type_text, _, collation = text.partition(" COLLATE ")
    if collation.startswith('"') and collation.endswith('"'):
        collation = collation[1:-1].replace('""', '"')
    return _drop_none({"name": name, "type": type_text, "collation": collation or None})


def _schema(name: str) -> str | None:
    return None if name == "public" else name


def _convention(f) -> tuple[str, ...]:
    """The SET clauses a designed function gets without ``settings`` (see Function.settings)."""
    return ("search_path=pg_catalog, public",) if f.security_definer else ()


def _drop_none(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def _entity_tables(schema: Schema, notes: list[str]) -> list[Table]:
    """The tables that become entities: names must be unique across schemas in a task input."""
    seen: dict[str, Table] = {}
    for table in schema.tables:
        if table.name in seen:
            notes.append(f"table {table.schema}.{table.name}: {seen[table.name].schema}.{table.name} has the same "
                         "name, and entity names are unique in a task input")
            continue
        seen[table.name] = table
    return list(seen.values())


def _type(table: Table, column) -> str:
    t = column.type
    if t.kind == Kind.CHAR and t.length is None:
        return "bpchar" + "[]" * t.array_dims
    return str(t)


def _inherited(schema: Schema, table: Table) -> tuple[set[str], set[str]]:
    """The column and check names an INHERITS child has from its parents (the task input lists only its own)."""
    columns: set[str] = set()
    checks: set[str] = set()
    for parent in (t for t in schema.tables if t.schema == table.schema and t.name in table.inherits):
        columns |= {c.name for c in parent.columns}
        checks |= {c.name for c in parent.checks if not c.no_inherit}
    return columns, checks


def _entity(table: Table, inherited: tuple[set[str], set[str]] = (set(), set())) -> dict:
    attributes = []
    for c in table.columns if table.partition_of is None else ():  # a partition's columns are its parent's
        if c.name in inherited[0]:
            continue
        attributes.append(_drop_none({
            "name": c.name, "type": _type(table, c), "nullable": c.nullable,
            "identity": c.identity, "identity_sequence": c.identity_sequence,
            "identity_options": c.identity_options if c.identity else None, "default_expression": c.default.sql if c.default and not c.identity else None,
            "generated": c.generated.sql if c.generated else None,
            "generated_virtual": True if c.generated and c.virtual else None, "description": c.comment}))
    entity = {"name": table.name, "schema": _schema(table.schema), "description": table.comment,
              "attributes": attributes or None}
    if table.primary_key is not None:
        entity["primary_key"] = list(table.primary_key.columns)
        entity["primary_key_name"] = table.primary_key.name
    if table.partitioning is not None:
        entity["partition_by"] = {"strategy": table.partitioning.strategy,
                                  "columns": list(table.partitioning.columns)}
    if table.cluster_on:
        entity["cluster_on"] = table.cluster_on
    if table.partition_of is not None:
        entity["partition_of"] = {"parent": table.partition_of, "bound": table.partition_bound}
    if table.inherits:
        entity["inherits"] = list(table.inherits)
    if table.foreign_server is not None:
        entity["foreign_server"] = table.foreign_server
        if table.foreign_options:
            entity["foreign_options"] = list(table.foreign_options)
    if table.rules:
        entity["rules"] = [{"name": name, "definition": sql} for name, sql in table.rules.items()]
    if table.triggers:
        entity["triggers"] = [_drop_none({"name": t.name, "function": t.function, "timing": t.timing.lower(),
                               "events": [e.lower() for e in t.events], "for_each": t.for_each.lower(),
                               "when": t.when.sql if t.when is not None else None,
                               "columns": list(t.columns) or None, "arguments": list(t.arguments) or None})
                              for t in table.triggers]
    return _drop_none(entity)


def _target_known(table: Table, fk, entities: set[tuple[str, str]], notes: list[str]) -> bool:
    if (fk.ref_schema or table.schema, fk.ref_table) in entities:
        return True
    notes.append(f"foreign key {fk.name} on {table.name}: {fk.ref_table} is not an imported table")
    return False


def _relationship(table: Table, fk) -> dict:
    rel = {"from": table.name, "to": fk.ref_table, "type": "many_to_one", "name": fk.name,
           "columns": list(fk.columns), "references_columns": list(fk.ref_columns),
           "on_delete": _ACTIONS[fk.on_delete], "on_update": _ACTIONS[fk.on_update]}
    if fk.deferrable:
        rel["deferrable"] = True
        rel["initially_deferred"] = fk.initially_deferred
    return rel


def _constraints(table: Table, inherited_checks: set[str] = frozenset()) -> list[dict]:
    out = [_drop_none({"entity": table.name, "type": "unique", "name": u.name, "columns": list(u.columns),
                       "nulls_not_distinct": u.nulls_not_distinct or None}) for u in table.uniques]
    out += [_drop_none({"entity": table.name, "type": "check", "name": c.name, "expression": c.expression.sql,
                        "description": c.comment}) for c in table.checks if c.name not in inherited_checks]
    out += [_drop_none({"entity": table.name, "type": "exclude", "name": x.name,
                        "using": x.method if x.method != "gist" else None,
                        "elements": [_drop_none({"column": e.column, "expression": e.expression.sql if e.expression else None,
                                                 "operator": e.operator}) for e in x.elements],
                        "where": x.where.sql if x.where is not None else None, "deferrable": x.deferrable or None,
                        "initially_deferred": x.initially_deferred or None, "description": x.comment})
            for x in table.exclusions]
    return out


def _index(table: Table, ix: Index) -> dict:
    plain = all(e.column is not None and not e.descending and e.nulls_first is None and not e.opclass
                and not e.collation for e in ix.elements)
    spec: dict = {"entity": table.name, "name": ix.name, "type": str(ix.method)}
    if plain:
        spec["columns"] = [e.column for e in ix.elements]
    else:
        spec["keys"] = [_drop_none({
            "column": e.column, "expression": e.expression.sql if e.expression else None,
            "order": "desc" if e.descending else None,
            "nulls": None if e.nulls_first is None else "first" if e.nulls_first else "last",
            "opclass": e.opclass, "collation": e.collation}) for e in ix.elements]
    optional = {"unique": ix.unique or None, "where": ix.where.sql if ix.where else None,
                "include": list(ix.include) or None, "nulls_not_distinct": ix.nulls_not_distinct or None,
                "reason": ix.comment}
    spec.update(_drop_none(optional))
    return spec
