"""Task input -> canonical schema: the steps of the design, in order.

Each step reads the input and the schema built so far, adds objects with their provenance, and logs
every decision it made for the user as an ``Inference``. Problems in the input are collected across
steps and raised together, so a user sees all of them at once.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from schemawright.design import (
    conventions, default_fit, denormalization, indexes, normal_forms, partitioning, pattern_indexes, relationships, requirements,
    rules, security, structural_requirements, tenancy, typecheck,
)
from schemawright.design.columns import (
    APPEND_ONLY_NAMES, CHILD_COLLECTIONS, DEFAULT_STATUS_VALUES, LOOKUP_ATTRIBUTES, PII_HINT_NAMES,
    SHARED_VOCABULARY, STATUS_VALUES, TRANSACTIONAL_NAMES, ColumnGuess, guess_column,
)
from schemawright.design.context import DesignContext, column_name_for, naming_convention, table_name_for
from schemawright.design.defaults import USER_TABLES, resolve_defaults
from schemawright.design.explicit import apply_objects, parse_any_type, parse_expression
from schemawright.gc_pause import collector_paused
from schemawright.model import names
from schemawright.model.compare import aggregate_arguments
from schemawright.model.schema import (
    Aggregate, CheckConstraint, Column, CompositeType, DomainCheck, DomainType, EnumType, ExclusionConstraint, ExclusionElement, Expression,
    Partitioning, PrimaryKey, Schema, Sequence, Source, Table, UniqueConstraint, convention, given, inferred,
)
from schemawright.model.types import DataType, Kind, UnknownTypeError, enum_type, parse_type, supported_type_names
from schemawright.spec.expressions import ExpressionError, literal_default, parse_check
from schemawright.spec.load import SourceMap, format_path
from schemawright.spec.models import Attribute, Entity, TaskInput

UUID = DataType(Kind.UUID)


def design(spec: TaskInput, smap: SourceMap, *, patterns: bool = True) -> Schema:
    """Design the schema for a validated task input. Raises SpecError listing every input problem.
    ``patterns``: match task.requirements to the domain patterns (also off with conventions.patterns)."""
    with naming_convention(spec.conventions.naming), collector_paused():
        expansion = None
        if patterns and spec.conventions.patterns and (spec.task.requirements or spec.task.acceptance_criteria):
            expansion = requirements.expand(spec, table_name_for)
        ctx = DesignContext(spec=expansion.spec if expansion else spec, smap=smap)
        if not patterns and spec.task.requirements:
            ctx.infer("conventions.patterns", "design", "not applied: task.requirements matched to domain patterns",
                      "disabled by --no-patterns")
        elif spec.task.requirements:
            ctx.enabled("patterns", "task.requirements matched to domain patterns")
        return _design(ctx, expansion)


def _design(ctx: DesignContext, expansion: requirements.Expansion | None = None) -> Schema:
    resolve_defaults(ctx)
    _declared_enums(ctx)
    _declared_schemas(ctx)
    _declared_domains(ctx)
    _declared_composite_types(ctx)
    _create_tables(ctx)
    ctx.raise_problems()  # later steps need every table and its key
    relationships.apply_explicit(ctx)
    _columns_and_deferred(ctx)
    _partition_columns(ctx)
    _foreign(ctx)
    relationships.apply_inferred(ctx)
    relationships.apply_spelled_out(ctx)
    _derive_rows(ctx)
    _attribute_checks(ctx)
    _lookup_values_unique(ctx)
    _tenant_scope(ctx)
    tenancy.apply(ctx)
    _order_columns(ctx)
    _rename_hints(ctx)
    _declared_sequences(ctx)
    _declared_aggregates(ctx)
    conventions.apply(ctx)
    _apply_constraints(ctx)
    _inherited_checks(ctx)
    rules.compile_rules(ctx)
    conventions.settle_append_only(ctx)
    _drop_widened_uniques(ctx)
    structural_requirements.apply_traceability(ctx, expansion)
    structural_requirements.apply_history(ctx, expansion)
    structural_requirements.apply_latency_criteria(ctx)
    pattern_indexes.apply(ctx)
    pattern_indexes.apply_generated(ctx)
    indexes.apply(ctx)
    structural_requirements.apply_searchable(ctx, expansion)  # after the declared indexes: they may satisfy it
    apply_objects(ctx)
    if expansion is not None:
        requirements.add_views(ctx, expansion)
    partitioning.apply(ctx)
    rules.compile_rules(ctx, "partitioning")
    default_fit.apply(ctx)
    relationships.check_cycles(ctx)
    _cluster_on(ctx)
    _rules(ctx)
    normal_forms.apply(ctx)
    denormalization.apply(ctx)
    ctx.raise_problems()
    conventions.mark_encrypted_columns(ctx)
    structural_requirements.apply_personal_data(ctx, expansion)
    if ctx.enabled("security", "roles, grants, row-level security, masking"):
        security.apply(ctx)
        rules.after_security(ctx)
    rules.compile_rules(ctx, "security")  # access rules: not understood (with the reason) when security is off
    if ctx.enabled("security", "roles, grants, row-level security, masking"):
        security.keep_erasure_working(ctx)  # an access rule may have taken the admin role's SELECT away
    structural_requirements.record_ownership(ctx, expansion)
    structural_requirements.record_erasure(ctx, expansion)
    if ctx.enabled("comments", "comments on undocumented tables and columns"):
        conventions.comment_everything(ctx)
    if expansion is not None:
        requirements.record(ctx, expansion)
    return ctx.schema


def _partition_of(ctx: DesignContext, table: Table, entity: Entity, path) -> None:
    """``partition_of``: the bound parsed by PostgreSQL's parser (its deparse is kept); no attributes of its own."""
    from pglast import parse_sql
    from pglast.stream import RawStream

    if entity.attributes or entity.primary_key:
        ctx.problem((*path, "partition_of"), f"partition {entity.name!r} takes its columns and key from "
                    f"{entity.partition_of.parent!r}: declare no attributes or primary_key")
        return
    try:
        (stmt,) = parse_sql(f"CREATE TABLE p PARTITION OF q {entity.partition_of.bound}")
        bound = stmt.stmt.partbound
        if bound is None or stmt.stmt.tableElts or stmt.stmt.partspec:
            raise ValueError("not a partition bound")
    except Exception as exc:  # noqa: BLE001 - pglast says where
        ctx.problem((*path, "partition_of", "bound"), f"not a partition bound: {exc}",
                    expected="FOR VALUES FROM (...) TO (...), FOR VALUES IN (...), "
                    "FOR VALUES WITH (MODULUS m, REMAINDER r) or DEFAULT")
        return
    table.partition_of = table_name_for(entity.partition_of.parent)
    table.partition_bound = RawStream()(bound)


def _partition_columns(ctx: DesignContext) -> None:
    """A partition's columns are its parent's (the model holds them so relationships and indexes can name them);
    an INHERITS child's are its parents' (first) and its own, with the parents' inheritable checks, as the
    catalog shows them."""
    from dataclasses import replace

    for entity in ctx.spec.data_model.entities:
        table = ctx.table(table_name_for(entity.name))
        if table is None or not entity.inherits:
            continue
        inherited: list[Column] = []
        for i, name in enumerate(entity.inherits):
            parent = ctx.table(table_name_for(name))
            if parent is None or parent.schema != table.schema or parent is table:
                ctx.problem((*ctx.entity_paths[table.name], "inherits", i), f"{name!r} is not another entity of "
                            f"schema {table.schema}")
                continue
            table.inherits += (parent.name,)
            inherited += [replace(c) for c in parent.columns if c.name not in {x.name for x in inherited}]
        own = [c for c in table.columns if c.name not in {x.name for x in inherited}]
        table.columns = inherited + own
    for table in ctx.schema.tables:
        if table.partition_of is None:
            continue
        parent = ctx.table(table.partition_of)
        path = ctx.entity_paths[table.name]
        if parent is None or parent.partitioning is None or parent.schema != table.schema:
            ctx.problem((*path, "partition_of", "parent"), f"{table.partition_of!r} is not a partitioned entity "
                        f"(partition_by) of schema {table.schema}")
            continue
        table.columns = [replace(c) for c in parent.columns]


def _inherited_checks(ctx: DesignContext) -> None:
    """An INHERITS child holds its parents' inheritable checks, as the catalog shows them (the DDL leaves them out:
    PostgreSQL copies them)."""
    from dataclasses import replace

    for table in ctx.schema.tables:
        for name in table.inherits:
            parent = ctx.table(name)
            table.checks += [replace(c) for c in parent.checks if not c.no_inherit
                             and c.name not in {x.name for x in table.checks}]


def _rules(ctx: DesignContext) -> None:
    """An entity's rules: each one CREATE RULE statement with its name, on the entity (PostgreSQL's parser)."""
    from pglast import ast as pg_ast
    from pglast import parse_sql

    from schemawright.spec.expressions import SafeLiteralStream

    for entity in ctx.spec.data_model.entities:
        table = ctx.table(table_name_for(entity.name))
        for i, decl in enumerate(entity.rules if table is not None else ()):
            path = (*ctx.entity_paths[table.name], "rules", i, "definition")
            try:
                stmts = parse_sql(decl.definition)
            except Exception as exc:  # noqa: BLE001 - pglast says where
                ctx.problem(path, f"rule {decl.name}: not valid SQL ({exc})")
                continue
            node = stmts[0].stmt if len(stmts) == 1 else None
            if not isinstance(node, pg_ast.RuleStmt) or node.rulename != decl.name \
                    or node.relation.relname != table.name or node.relation.schemaname not in (None, table.schema):
                ctx.problem(path, f"expected one CREATE RULE {decl.name} ... ON {table.name} statement")
                continue
            table.rules[decl.name] = SafeLiteralStream()(node)


def _cluster_on(ctx: DesignContext) -> None:
    """``cluster_on``: the index CLUSTER orders the table by (ALTER TABLE ... CLUSTER ON); one of its own."""
    for entity in ctx.spec.data_model.entities:
        table = ctx.table(table_name_for(entity.name))
        if entity.cluster_on is None or table is None:
            continue
        own = [ix.name for ix in table.indexes] + [u.name for u in table.uniques] + (
            [table.primary_key.name] if table.primary_key is not None else [])
        if entity.cluster_on not in own:
            ctx.problem((*ctx.entity_paths[table.name], "cluster_on"),
                        f"{entity.cluster_on!r} is not an index or key of {table.name}",
                        expected=f"one of {', '.join(own) or '(none: declare an index)'}")
            continue
        table.cluster_on = entity.cluster_on


def _rename_hints(ctx: DesignContext) -> None:
    """``renamed_from`` of attributes onto their columns (a reference ``buyer`` may be column ``buyer_id``)."""
    for entity in ctx.spec.data_model.entities:
        table = ctx.table(table_name_for(entity.name))
        for attr in entity.attributes if table is not None else ():
            if attr.renamed_from is None:
                continue
            col, old = column_name_for(attr.name), column_name_for(attr.renamed_from)
            if (column := table.column(col)) is not None:
                column.renamed_from = old
            elif (column := table.column(f"{col}_id")) is not None:
                column.renamed_from = old if old.endswith("_id") else f"{old}_id"


def _declared_enums(ctx: DesignContext) -> None:
    """data_model.extensions, and data_model.enums: named enum types that attributes use by name."""
    ctx.schema.extensions += [e for e in ctx.spec.data_model.extensions if e not in ctx.schema.extensions]
    for i, decl in enumerate(ctx.spec.data_model.enums):
        if ctx.schema.enum(decl.name) is not None:
            ctx.problem(("data_model", "enums", i, "name"), f"duplicate enum {decl.name!r}")
            continue
        enum = _enum(decl.name, decl.values, ("data_model", "enums", i))
        enum.schema, enum.comment = decl.db_schema or "public", decl.description
        ctx.schema.enums.append(enum)


def domain_type_name(schema: str, name: str) -> str:
    """How PostgreSQL's format_type() spells a type of ``schema`` (public is on the search path): the name a
    column of the domain carries as its type."""
    quoted = names.quote_ident(name)
    return quoted if schema == "public" else f"{names.quote_ident(schema)}.{quoted}"


def _foreign(ctx: DesignContext) -> None:
    """data_model.foreign_servers, and entities that are foreign tables of one of them."""
    from schemawright.model.schema import ForeignServer

    for i, decl in enumerate(ctx.spec.data_model.foreign_servers):
        ctx.schema.foreign_servers.append(ForeignServer(name=decl.name, wrapper=decl.wrapper, options=tuple(decl.options),
                                                        origin=given(format_path(("data_model", "foreign_servers", i)))))
    servers = {s.name for s in ctx.schema.foreign_servers}
    for entity in ctx.spec.data_model.entities:
        table = ctx.table(table_name_for(entity.name))
        if table is None or entity.foreign_server is None:
            continue
        if entity.foreign_server not in servers:
            ctx.problem((*ctx.entity_paths[table.name], "foreign_server"),
                        f"{entity.foreign_server!r} is not a server of data_model.foreign_servers")
            continue
        table.foreign_server, table.foreign_options = entity.foreign_server, tuple(entity.foreign_options)


def _declared_schemas(ctx: DesignContext) -> None:
    """data_model.schemas: namespaces created even when empty, with their comments (COMMENT ON SCHEMA)."""
    for i, decl in enumerate(ctx.spec.data_model.schemas):
        if decl.name in ctx.schema.schema_comments or (decl.name in ctx.schema.schemas and decl.name != "public"):
            ctx.problem(("data_model", "schemas", i, "name"), f"duplicate schema {decl.name!r}")
            continue
        if decl.name != "public":
            ctx.schema.schemas.append(decl.name)
        if decl.description is not None:
            ctx.schema.schema_comments[decl.name] = decl.description


def _declared_domains(ctx: DesignContext) -> None:
    """data_model.domains: CREATE DOMAIN with its base type, NOT NULL, default and named CHECKs over VALUE,
    all parsed (only their deparse reaches the model); attributes use a domain by name."""
    from schemawright.design.explicit import parse_expression

    strict = ctx.spec.conventions.strict_expressions
    for i, decl in enumerate(ctx.spec.data_model.domains):
        path = ("data_model", "domains", i)
        schema_name = decl.db_schema or "public"
        if any(d.name == decl.name and d.schema == schema_name for d in ctx.schema.domains) or any(
                e.name == decl.name and e.schema == schema_name for e in ctx.schema.enums):
            ctx.problem((*path, "name"), f"duplicate type {decl.name!r} (a domain or enum of schema {schema_name})")
            continue
        try:
            base = parse_type(decl.base_type) if strict else parse_any_type(decl.base_type)
        except UnknownTypeError:
            ctx.problem((*path, "base_type"), f"unsupported type {decl.base_type!r}",
                        expected="a PostgreSQL type such as integer, varchar(50), boolean")
            continue
        default = None
        if decl.default is not None:
            try:
                default = parse_expression(decl.default)[0]
            except ExpressionError as exc:
                ctx.problem((*path, "default"), f"invalid default: {exc}", expected="one SQL expression")
                continue
        checks, ok = [], True
        for j, check in enumerate(decl.checks):
            try:
                expression = (parse_check(check.expression, {"value"}) if strict
                              else parse_expression(check.expression, ["value"]))[0]
            except ExpressionError as exc:
                ctx.problem((*path, "checks", j, "expression"), f"invalid domain check: {exc}",
                            expected="one condition over VALUE, e.g. VALUE >= 0")
                ok = False
                continue
            checks.append(DomainCheck(name=check.name, expression=expression))
        if not ok:
            continue
        ctx.schema.domains.append(DomainType(
            name=decl.name, base_type=str(base), schema=schema_name, not_null=decl.not_null, default=default,
            checks=tuple(checks), collation=decl.collation, comment=decl.description,
            origin=given(format_path(path))))


def _declared_composite_types(ctx: DesignContext) -> None:
    """data_model.composite_types: CREATE TYPE ... AS (attribute type, ...), each type parsed (only its
    rendering reaches the model); attributes of entities use the type by its (schema-qualified) name."""
    strict = ctx.spec.conventions.strict_expressions
    for i, decl in enumerate(ctx.spec.data_model.composite_types):
        path = ("data_model", "composite_types", i)
        schema_name = decl.db_schema or "public"
        if any(t.name == decl.name and t.schema == schema_name
               for t in (*ctx.schema.domains, *ctx.schema.enums, *ctx.schema.composite_types)):
            ctx.problem((*path, "name"), f"duplicate type {decl.name!r} (a domain, enum or composite type of schema "
                        f"{schema_name})")
            continue
        attributes, ok = [], True
        for j, attr in enumerate(decl.attributes):
            try:
                parsed = parse_type(attr.type) if strict else parse_any_type(attr.type)
            except UnknownTypeError:
                ctx.problem((*path, "attributes", j, "type"), f"unsupported type {attr.type!r}",
                            expected="a PostgreSQL type such as text, varchar(16), integer")
                ok = False
                continue
            text = str(parsed) + (f" COLLATE {names.quote_ident(attr.collation)}" if attr.collation else "")
            attributes.append((attr.name, text))
        if ok:
            ctx.schema.composite_types.append(CompositeType(
                name=decl.name, attributes=tuple(attributes), schema=schema_name, comment=decl.description,
                origin=given(format_path(path))))


_SEQUENCE_RANGES = {"smallint": (-32768, 32767), "integer": (-2147483648, 2147483647),
                    "bigint": (-9223372036854775808, 9223372036854775807)}


def _declared_sequences(ctx: DesignContext) -> None:
    """data_model.sequences: CREATE SEQUENCE as declared (options left out: PostgreSQL's defaults), OWNED BY an
    entity's attribute of the same schema."""
    for i, decl in enumerate(ctx.spec.data_model.sequences):
        path = ("data_model", "sequences", i)
        schema_name = decl.db_schema or "public"
        if any(s.name == decl.name and s.schema == schema_name for s in ctx.schema.sequences):
            ctx.problem((*path, "name"), f"duplicate sequence {decl.name!r}")
            continue
        if decl.increment == 0:
            ctx.problem((*path, "increment"), "expected a non-zero increment, got 0")
            continue
        low, high = _SEQUENCE_RANGES[decl.data_type]
        up = decl.increment > 0
        min_value = decl.min_value if decl.min_value is not None else (1 if up else low)
        max_value = decl.max_value if decl.max_value is not None else (high if up else -1)
        start = decl.start if decl.start is not None else (min_value if up else max_value)
        if not low <= min_value <= start <= max_value <= high:
            ctx.problem((*path, "start"), f"expected {decl.data_type} values with min_value <= start <= max_value, "
                        f"got min_value {min_value}, start {start}, max_value {max_value}")
            continue
        owned_by = None
        if decl.owned_by:
            entity, _, attribute = decl.owned_by.partition(".")
            table = ctx.table(table_name_for(entity))
            column = table.column(column_name_for(attribute)) if table is not None else None
            if column is None or table.schema != schema_name:
                ctx.problem((*path, "owned_by"), f"expected an attribute of an entity in schema {schema_name} "
                            f"(entity.attribute), got {decl.owned_by!r}")
                continue
            owned_by = f"{table.name}.{column.name}"
        ctx.schema.sequences.append(Sequence(
            name=decl.name, schema=schema_name, data_type=decl.data_type, start=start, increment=decl.increment,
            min_value=min_value, max_value=max_value, cache=decl.cache, cycle=decl.cycle, owned_by=owned_by,
            comment=decl.description, origin=given(".".join(map(str, path)))))


def _declared_aggregates(ctx: DesignContext) -> None:
    """data_model.aggregates: parsed as the CREATE AGGREGATE they make; a located error if PostgreSQL's parser
    would refuse it."""
    from pglast import parse_sql
    from pglast.stream import RawStream

    for i, decl in enumerate(ctx.spec.data_model.aggregates):
        path = ("data_model", "aggregates", i)
        schema_name = decl.db_schema or "public"
        text = (f"CREATE AGGREGATE {names.quote_ident(schema_name)}.{names.quote_ident(decl.name)}"
                f"({decl.arguments}) ({decl.options})")
        try:
            (stmt,) = parse_sql(text)
            node = stmt.stmt
            params, direct = node.args
        except Exception as exc:  # noqa: BLE001 - pglast reports the position
            ctx.problem((*path, "options"), f"expected aggregate arguments and options PostgreSQL parses "
                        f"(e.g. arguments: text, options: 'sfunc = f, stype = text'), got: {exc}")
            continue
        arguments = aggregate_arguments(params, direct.ival if direct is not None else -1)
        options = ", ".join(f"{d.defname} = {RawStream()(d.arg)}" if d.arg is not None else d.defname
                            for d in node.definition or ())
        ctx.schema.aggregates.append(Aggregate(name=decl.name, schema=schema_name, arguments=arguments,
                                               options=options, comment=decl.description,
                                               origin=given(".".join(map(str, path)))))


# Entity types whose tables stay small (a few hundred rows) whatever the scale: lookups and reference data
# (zones, violation codes), as seed, Citus and the workload already treat them.
SMALL_KINDS = ("lookup", "reference")


def _entity_kind(ctx: DesignContext, entity: Entity, table: str) -> str:
    if entity.type:
        return entity.type
    if table in TRANSACTIONAL_NAMES:
        kind, why = "transactional", "a business transaction: its history must be kept intact"
    elif table in APPEND_ONLY_NAMES:
        kind, why = "time_series", "an append-only stream of events or readings"
    else:
        kind, why = "core", "no entity type given; a core business entity is the default"
    ctx.infer("entity.kind", table, f"entity type {kind}", why)
    return kind


def _create_tables(ctx: DesignContext) -> None:
    seen: dict[str, int] = {}
    for i, entity in enumerate(ctx.spec.data_model.entities):
        path = ("data_model", "entities", i)
        name = table_name_for(entity.name)
        if name != entity.name:
            ctx.infer("naming.table", name, f"entity {entity.name!r} becomes table {name!r}",
                      "seed 004 convention: tables are plural snake_case")
        if name in seen:
            ctx.problem(path + ("name",), f"duplicate entity {entity.name!r}: entity #{seen[name] + 1} is also "
                        f"table {name!r}", expected="unique entity names")
            continue
        seen[name] = i
        kind = _entity_kind(ctx, entity, name)
        table = Table(name=name, kind=kind, comment=entity.description, origin=given(format_path(path)),
                      schema=entity.db_schema or "public",
                      renamed_from=table_name_for(entity.renamed_from) if entity.renamed_from else None)
        ctx.schema.tables.append(table)
        ctx.entity_paths[name] = path
        if entity.partition_of is None:
            _add_primary_key(ctx, table, entity, path)
        else:
            _partition_of(ctx, table, entity, path)
        if entity.partition_by is not None:
            table.partitioning = Partitioning(strategy=entity.partition_by.strategy, origin=given(format_path(path)),
                                              columns=tuple(entity.partition_by.columns))
        rows = entity.estimated_rows
        if rows is None:
            small = kind in SMALL_KINDS
            rows = ctx.schema.facts.scale.default_rows if not small else 100
            ctx.infer("default.rows", name, f"estimated_rows = {rows:,}",
                      "not given; seed 003 estimates data volume from the project scale "
                      f"({ctx.schema.facts.scale.name})" if not small else f"a {kind} table stays small")
        table.estimated_rows = rows


def _derive_rows(ctx: DesignContext) -> None:
    """Row counts the input left out, estimated from the counts it states instead of the scale's default
    (1,000,000 rows for "medium": a 600-participant trial's sites table is not a million rows). Through the
    foreign keys, until nothing changes: a table referenced by a known one gets a tenth of its rows (a
    parent has several children), a table referencing a known one as many rows (a unique key: one per
    parent) or ten times as many, the smallest estimate winning, never above the scale's default. Said as an
    estimate (``default.rows``); with no stated count anywhere the scale's default stays."""
    default = ctx.schema.facts.scale.default_rows
    open_ = {table_name_for(e.name) for e in ctx.spec.data_model.entities if e.estimated_rows is None}
    tables = {t.name: t for t in ctx.schema.tables}
    known = {n for n, t in tables.items() if n not in open_ or t.kind in SMALL_KINDS}
    if not any(n not in open_ for n in tables):
        return
    why: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for name in sorted(open_ - known):
            table = tables.get(name)
            if table is None:
                continue
            guesses: list[tuple[int, str]] = []
            for fk in table.foreign_keys:
                parent = tables.get(fk.ref_table)
                if fk.ref_table == name or fk.ref_table not in known or parent is None or not parent.estimated_rows \
                        or parent.kind in SMALL_KINDS:  # a few codes say nothing of how many rows use them
                    continue
                one = any(set(u.columns) <= set(fk.columns) for u in table.uniques) or (
                    table.primary_key is not None and set(table.primary_key.columns) <= set(fk.columns))
                rows = parent.estimated_rows if one else parent.estimated_rows * 10
                guesses.append((rows, f"{'one' if one else 'about ten'} per row of {parent.name} "
                                      f"({parent.estimated_rows:,} rows)"))
            for child in tables.values():
                if child.name == name or child.name not in known or not child.estimated_rows:
                    continue
                if any(fk.ref_table == name for fk in child.foreign_keys):
                    guesses.append((max(1, child.estimated_rows // 10),
                                    f"a tenth of {child.name} ({child.estimated_rows:,} rows), which references it"))
            if not guesses:
                continue
            rows, reason = min(guesses)
            table.estimated_rows = min(max(rows, 1), default)
            known.add(name)
            why[name] = reason
            changed = True
    stated = [t.estimated_rows for n, t in tables.items() if n not in open_ and t.kind not in SMALL_KINDS
              and t.estimated_rows]
    for name in sorted(open_ - known):  # linked to nothing with a count: the input's smallest stated count
        table = tables.get(name)
        if table is None or table.kind in SMALL_KINDS or not stated:
            continue
        table.estimated_rows = min(min(stated), default)
        why[name] = f"no link to a table with a stated count, so the smallest stated count ({min(stated):,} rows)"
    if not why:
        return
    ctx.schema.inferences[:] = [i for i in ctx.schema.inferences
                                if not (i.rule == "default.rows" and i.subject in why)]
    for name, reason in why.items():
        ctx.infer("default.rows", name, f"estimated_rows = {tables[name].estimated_rows:,} (an estimate)",
                  f"not given; estimated from the counts the input states: {reason} (the scale's default, "
                  f"{default:,}, would overstate it); state estimated_rows to be exact")


def _add_primary_key(ctx: DesignContext, table: Table, entity: Entity, path) -> None:
    declared = [a.name for a in entity.attributes]
    for parent in entity.inherits:  # an INHERITS child's key may be on its parents' columns
        declared += [a.name for e in ctx.spec.data_model.entities if e.name == parent for a in e.attributes]
    if entity.primary_key:
        missing = [c for c in entity.primary_key if c not in declared]
        if missing:
            ctx.problem(path + ("primary_key",), f"primary key column(s) {', '.join(missing)} are not attributes "
                        f"of {entity.name!r}", expected=f"one of {', '.join(declared) or '(no attributes)'}")
            return
        table.primary_key = PrimaryKey(name=entity.primary_key_name or names.pk_name(table.name, entity.primary_key),
                                       columns=tuple(entity.primary_key), origin=given(format_path(path)))
        return
    if not ctx.enabled("uuid_keys", "a uuid id primary key for entities that declare none"):
        return
    table.columns.append(Column(
        name="id", type=UUID, nullable=False, default=Expression("gen_random_uuid()"), comment="Primary key",
        origin=convention("key.uuid", "seed 004 template: UUID keys generated by gen_random_uuid() are safe "
                          "to expose and to merge across databases")))
    table.primary_key = PrimaryKey(name=names.pk_name(table.name, ["id"]), columns=("id",),
                                   origin=convention("key.uuid", "every table has a primary key"))
    ctx.infer("key.uuid", f"{table.name}.id", "uuid primary key DEFAULT gen_random_uuid()",
              "seed 004 standard table template")


def _columns_and_deferred(ctx: DesignContext) -> None:
    """Turn attributes into columns; collections, lookups and references are handled by their steps."""
    for i, entity in enumerate(ctx.spec.data_model.entities):
        table = ctx.table(table_name_for(entity.name))
        seen: set[str] = set()
        for j, attr in enumerate(entity.attributes):
            path = ("data_model", "entities", i, "attributes", j)
            col = column_name_for(attr.name)
            if col in seen:
                ctx.problem(path + ("name",), f"duplicate attribute {attr.name!r} in entity {entity.name!r}")
                continue
            seen.add(col)
            if col != attr.name:
                ctx.infer("naming.column", f"{table.name}.{col}", f"attribute {attr.name!r} becomes {col!r}",
                          "seed 004 convention: columns are snake_case")
            if col == "id" and attr.type is None and table.has_column("id"):
                continue
            if table.has_column(col):  # already created by an explicit relationship
                _apply_overrides(ctx, table, table.column(col), attr, path)
                continue
            if _is_collection(ctx, attr, col):
                relationships.collection(ctx, table, attr, col, path)
            elif attr.type is None and attr.references is None and col in LOOKUP_ATTRIBUTES and attr.values is None \
                    and ctx.enabled("lookup_tables", "lookup and child tables read from attribute names"):
                relationships.lookup(ctx, table, attr, col, path)
            elif attr.references is not None or (attr.type is None and col.endswith("_id") and ctx.enabled(
                    "infer_types", "types, checks, defaults and references read from names")
                    and not _states_a_value(ctx, table, attr, col) and not _identifier_value(ctx, table, col)):
                relationships.defer_reference(ctx, table, attr, col, path)
            else:
                add_attribute_column(ctx, table, attr, col, path)
        if entity.tenant_column and entity.tenant_column not in seen and not table.has_column(entity.tenant_column):
            path = ("data_model", "entities", i, "tenant_column")
            if not entity.tenant_column.endswith("_id"):
                ctx.problem(path, f"tenant column {entity.tenant_column!r} is not an attribute of {entity.name!r}",
                            expected="an attribute of the entity, or a <tenant>_id name (a reference is added)")
                continue
            relationships.defer_reference(ctx, table, Attribute(name=entity.tenant_column), entity.tenant_column, path)
            ctx.infer("tenant.column", f"{table.name}.{entity.tenant_column}", "column added",
                      "tenant_column names a column the attributes do not list; it references the tenants' table")


def _states_a_value(ctx: DesignContext, table: Table, attr: Attribute, col: str) -> bool:
    """An ``*_id`` attribute whose input says it holds a value of its own (personal data, encrypted, a
    set of values, a default or a check) is not a reference: the name heuristic yields to the input."""
    stated = [f for f in ("pii", "encrypt", "values", "default", "check", "unique")
              if getattr(attr, f) not in (None, False)]
    if not stated:
        return False
    ctx.infer("precedence.not_a_reference", f"{table.name}.{col}", "a value column, not a foreign key",
              f"the name ends in _id, but the input states {', '.join(stated)}: an identifier held as data "
              "(a document number), not a link to an invented table; the naming heuristic is dropped")
    return True


# identifiers issued by an authority or an outside system (tax_id, vat_id, national_id, lei_id...): values held
# as data, not links to a table of taxes or nationals
IDENTIFIER_IDS = re.compile(r"^(?:tax|vat|vat_registration|national|ein|tin|duns|lei|eori|gst|abn|passport|"
                            r"social_security|company_registration|registration|licen[cs]e|driver_licen[cs]e|"
                            r"external|provider|stripe|paypal|google|apple|facebook|github|oauth|sso|idp)_id$")


def _identifier_value(ctx: DesignContext, table: Table, col: str) -> bool:
    """``tax_id`` names an identifier a business holds (its tax number), not a reference: unless the input
    declares an entity of that name (a ``taxes`` table), it is a value column."""
    if not IDENTIFIER_IDS.match(col):
        return False
    stem = col[:-3]
    if any(table_name_for(e.name) in (names.plural(stem), stem) for e in ctx.spec.data_model.entities):
        return False
    ctx.infer("precedence.not_a_reference", f"{table.name}.{col}", "a value column, not a foreign key",
              f"{col} names an identifier issued by an authority or an outside system (a tax or registration "
              "number, a provider's id), not a link: no table is invented for it")
    return True


def _drop_widened_uniques(ctx: DesignContext) -> None:
    """An inferred UNIQUE (code) next to a declared UNIQUE (legal_entity_id, code) would forbid what the
    input allows (two entities using one code): the inferred one yields to the declared one."""
    for table in ctx.schema.tables:
        declared = [u for u in table.uniques if u.origin.source == Source.INPUT]
        keep = []
        for u in table.uniques:
            wider = next((d for d in declared if d is not u and set(u.columns) < set(d.columns)), None)
            if u.origin.source == Source.INFERRED and wider is not None:
                ctx.infer("precedence.unique_dropped", f"{table.name}.{u.name}", "not created",
                          f"the inferred UNIQUE ({', '.join(u.columns)}) would widen the declared "
                          f"{wider.name} UNIQUE ({', '.join(wider.columns)}); the input wins")
                continue
            keep.append(u)
        table.uniques = keep


def _tenant_scope(ctx: DesignContext) -> None:
    """tenant_column: every row belongs to one tenant (NOT NULL), and what the designer made unique on
    its own (slugs, codes) is unique per tenant, since two tenants may use the same value."""
    for i, entity in enumerate(ctx.spec.data_model.entities):
        if not entity.tenant_column:
            continue
        table, tenant = ctx.table(table_name_for(entity.name)), entity.tenant_column
        column = table.column(tenant)
        if column is None:
            continue
        if column.nullable:
            if any(a.name == tenant and a.nullable for a in entity.attributes) or any(
                    r.required is False and (r.foreign_key or "") == tenant for r in ctx.spec.data_model.relationships):
                ctx.problem(("data_model", "entities", i, "tenant_column"), f"tenant column {table.name}.{tenant} "
                            "is declared optional", expected="a required tenant column (every row has a tenant)")
                continue
            column.nullable = False
        ctx.infer("tenant.column", f"{table.name}.{tenant}", "NOT NULL",
                  "tenant_column: every row of a tenant-scoped table belongs to exactly one tenant")
        for unique in table.uniques:
            if tenant in unique.columns or unique.origin.source != Source.INFERRED:
                continue
            unique.columns = (tenant, *unique.columns)
            unique.name = names.uq_name(table.name, unique.columns)
            ctx.infer("tenant.unique", f"{table.name}.{unique.name}", f"UNIQUE ({', '.join(unique.columns)})",
                      "a value the designer made unique is unique per tenant: two tenants may use the same one")


def _order_columns(ctx: DesignContext) -> None:
    """Columns in the order the input lists the attributes (references resolved later would otherwise
    trail): a generated key first, then the attributes, then columns added by relationships."""
    for entity in ctx.spec.data_model.entities:
        table = ctx.table(table_name_for(entity.name))
        declared: list[str] = []
        for attr in entity.attributes:
            col = column_name_for(attr.name)
            found = next((c for c in (col, f"{col}_id") if table.has_column(c) and c not in declared), None)
            if found:
                declared.append(found)
        generated_key = table.primary_key.columns if table.primary_key and not entity.primary_key else ()

        def rank(column: Column, declared=declared, generated_key=generated_key) -> tuple[int, int]:
            if column.name in generated_key:
                return (0, 0)
            if column.name in declared:
                return (1, declared.index(column.name))
            return (2, 0)
        table.columns.sort(key=rank)


def _is_collection(ctx: DesignContext, attr: Attribute, col: str) -> bool:
    if attr.multi_valued is not None:
        return attr.multi_valued
    return attr.type is None and (col in SHARED_VOCABULARY or col in CHILD_COLLECTIONS) and ctx.enabled(
        "lookup_tables", "lookup and child tables read from attribute names")


def add_attribute_column(ctx: DesignContext, table: Table, attr: Attribute, col: str, path) -> Column | None:
    """Create a column from an attribute: explicit settings first, the naming rule for the rest."""
    subject = f"{table.name}.{col}"
    where = format_path(path)
    infer = ctx.enabled("infer_types", "types, checks, defaults and references read from names")
    guess = guess_column(col, attr.description) if infer else ColumnGuess(
        "conventions.infer_types", "disabled by conventions.infer_types: text unless a type is given",
        DataType(Kind.TEXT))
    if attr.type is not None:
        dtype = _explicit_type(ctx, table, attr, col, path)
        if dtype is None:
            return None
        if dtype.kind != guess.type.kind or dtype.array_dims:
            guess = ColumnGuess("type.given", "type given in the input", dtype,
                                nullable=True, pii=guess.pii)
        else:
            guess.type = dtype
        origin = given(where)
    else:
        guess = _yield_to_input(ctx, subject, attr, guess)
        guess = usage_type(ctx, table, col, guess)
        ctx.infer(guess.rule, subject, f"{guess.type}" + ("" if guess.nullable else " NOT NULL")
                  + (f" DEFAULT {guess.default}" if guess.default else ""), guess.reason)
        origin = inferred(guess.rule, guess.reason, where)
        if guess.rule == "type.fallback" and attr.values:
            guess.rule, guess.reason = "type.values", "text holding the declared values (a CHECK lists them)"
            origin = inferred(guess.rule, guess.reason, where)
        elif guess.rule == "type.fallback":
            ctx.infer("warning.type_unknown", subject, "text (type unknown)",
                      f"no lexicon entry and no usage in the input tells the type of {attr.name!r}: it is text; "
                      f"set 'type' at {where} to be exact")
    if names.is_reserved(col):
        ctx.infer("naming.reserved", subject, f"column name {col!r} is quoted in all SQL",
                  f"{col!r} is a reserved word in PostgreSQL; quoting keeps the name the application uses")
    column = Column(name=col, type=guess.type, nullable=guess.nullable, pii=guess.pii, origin=origin,
                    default=Expression(guess.default) if guess.default else None, comment=attr.description)
    table.columns.append(column)
    if guess.pii and attr.pii is None and col in PII_HINT_NAMES | {col}:
        ctx.infer("security.pii", subject, "marked as personal data (PII)", f"{guess.reason}")
    if guess.status_set and attr.values is None and guess.type.kind != Kind.ENUM:
        values = STATUS_VALUES.get(table.name, DEFAULT_STATUS_VALUES)
        _add_value_set(ctx, table, column, values, inferred_values=True)
    for suffix, expr in guess.checks:
        if attr.type is None or guess.type.kind == column.type.kind:
            _add_check(ctx, table, suffix, expr, origin=inferred(guess.rule, guess.reason, where))
    if col == "email" and table.name in USER_TABLES and attr.unique is None and infer:
        guess.unique, guess.reason = True, "an account's e-mail address identifies it: unique"
    if col == "username" and table.name in USER_TABLES and attr.unique is None and infer:
        guess.unique, guess.reason = True, "a username identifies an account (sign-in, mentions, URLs): unique"
    if guess.unique and attr.unique is None:
        _add_unique(ctx, table, (col,), inferred(guess.rule, guess.reason, where))
        ctx.infer("constraint.unique", subject, "UNIQUE", guess.reason)
    _apply_overrides(ctx, table, column, attr, path)
    return column


_TEXTUAL = (Kind.TEXT, Kind.VARCHAR, Kind.CHAR, Kind.CITEXT)


def _yield_to_input(ctx: DesignContext, subject: str, attr: Attribute, guess: ColumnGuess) -> ColumnGuess:
    """A name heuristic never overrides what the input states: declared ``values`` or a ``default`` the
    guessed type cannot hold make the column text (the values become a CHECK); the conflict is logged."""
    conflict = None
    if attr.values and guess.type.kind not in _TEXTUAL:
        try:
            for v in attr.values:
                literal_default(v, guess.type)
        except ExpressionError:
            conflict = f"the declared values ({', '.join(attr.values[:3])}...) are not {guess.type}"
    if conflict is None and attr.default is not None and guess.type.kind not in _TEXTUAL:
        try:
            literal_default(attr.default, guess.type, allowed=attr.values)
        except ExpressionError:
            conflict = f"the declared default {attr.default!r} is not a {guess.type}"
    if conflict is None:
        return guess
    ctx.infer("precedence.heuristic_dropped", subject, "text",
              f"the naming rule {guess.rule} ({guess.type}) was dropped: {conflict}; what the input states wins")
    return ColumnGuess("type.values", "text holding the declared values", DataType(Kind.TEXT),
                       nullable=guess.nullable, pii=guess.pii, status_set=guess.status_set)


def usage_type(ctx: DesignContext, table: Table, col: str, guess: ColumnGuess) -> ColumnGuess:
    """A column no naming rule knows takes the type its usage implies (checks, rules, query patterns)."""
    if guess.rule != "type.fallback":
        return guess
    from schemawright.design.usage import implied_type
    found = implied_type(ctx, table.name, col)
    if found is None:
        return guess
    dtype, why = found
    return ColumnGuess("type.usage", why, dtype)


def _explicit_type(ctx: DesignContext, table: Table, attr: Attribute, col: str, path) -> DataType | None:
    text = attr.type.strip()
    if text.lower() == "enum":
        if not attr.values:
            ctx.problem(path + ("values",), "an enum attribute needs its values", expected="a list of strings")
            return None
        enum_name = names.shorten(f"{table.name}_{col}")
        ctx.schema.enums.append(_enum(enum_name, attr.values, path))
        return enum_type(enum_name)
    for domain in ctx.schema.domains:  # by name, schema.name, or as the catalog spells it ("Name")
        spelled = domain_type_name(domain.schema, domain.name)
        if text in (domain.name, spelled, f"{domain.schema}.{domain.name}"):
            return DataType(Kind.OTHER, name=spelled)
    bare, brackets = re.fullmatch(r"(.*?)((?:\s*\[\s*\])*)", text).groups()  # an enum's array: state[]
    if (enum := ctx.schema.enum(bare)) is not None:  # of another schema: by name, as the catalog shows it
        dims = brackets.count("[")
        return DataType(Kind.ENUM, name=enum.name, array_dims=dims) if enum.schema == table.schema else DataType(
            Kind.OTHER, name=enum.name if enum.schema == "public" else f"{enum.schema}.{enum.name}", array_dims=dims)
    if re.fullmatch(r"(?i)date_?time(?:\s*\(\s*\d\s*\))?", text) and ctx.enabled(
            "infer_types", "datetime read as timestamptz"):
        # "datetime" is no PostgreSQL type: written in a task input it means a point in time, which this
        # design stores with its time zone like every other instant (timestamp without one, as MySQL's
        # datetime, would mix local and UTC times in one table)
        ctx.infer("type.datetime", f"{table.name}.{col}", "timestamptz",
                  f"{attr.type!r} is a point in time; timestamptz like every instant of the design (declare "
                  "'timestamp' for a wall-clock time without zone)")
        text = "timestamptz" + (m.group(0) if (m := re.search(r"\(\s*\d\s*\)", text)) else "")
    try:
        return parse_type(text) if ctx.spec.conventions.strict_expressions else parse_any_type(text)
    except UnknownTypeError:
        close = difflib.get_close_matches(text.lower(), supported_type_names(), n=1)
        ctx.problem(path + ("type",), f"unsupported type {attr.type!r}",
                    expected="a PostgreSQL type such as text, varchar(100), integer, numeric(12,2), uuid, "
                    "timestamptz, jsonb, boolean, enum", hint=f"did you mean {close[0]!r}?" if close else None)
        return None


def _enum(name: str, values: list[str], path) -> EnumType:
    return EnumType(name=name, values=tuple(values), origin=given(format_path(path)))


def _apply_overrides(ctx: DesignContext, table: Table, column: Column, attr: Attribute, path) -> None:
    """Explicit attribute settings win over anything inferred."""
    subject = f"{table.name}.{column.name}"
    if attr.nullable is not None:
        column.nullable = attr.nullable
    if attr.description:
        column.comment = attr.description
    if attr.pii is not None:
        column.pii = attr.pii
    if attr.encrypt is not None:
        column.encrypt = attr.encrypt
    if attr.identity is not None:
        column.identity, column.nullable = attr.identity, False
        if attr.identity_sequence:
            column.identity_sequence = attr.identity_sequence if "." in attr.identity_sequence else \
                f"{table.schema}.{attr.identity_sequence}"
        column.identity_options = attr.identity_options
    elif attr.identity_sequence or attr.identity_options:
        ctx.problem((*path, "identity_sequence" if attr.identity_sequence else "identity_options"),
                    "expected identity: always or by default with identity_sequence or identity_options")
    for field_name in ("default_expression", "generated"):
        if (text := getattr(attr, field_name)) is not None:
            _set_expression(ctx, table, column, field_name, text, path + (field_name,))
    if attr.generated_virtual:
        if attr.generated is None:
            ctx.problem((*path, "generated_virtual"), "generated_virtual needs generated (the expression)")
        column.virtual = True
    if attr.default is not None:
        try:
            column.default = literal_default(attr.default, column.type, allowed=attr.values)
        except ExpressionError as exc:
            ctx.problem(path + ("default",), f"bad default for {subject}: {exc}", got=repr(attr.default))
        if attr.nullable is None and column.nullable:
            column.nullable = False
            ctx.infer("nullability.default", subject, "NOT NULL",
                      "a default is given and nullability is not: every row starts with a value, and allowing "
                      "NULL later would only add a second way to say 'unknown' (set nullable: true to allow it)")
    if attr.values is not None and column.type.kind != Kind.ENUM:
        bad = None
        for v in attr.values or ():
            try:
                literal_default(v, column.type)
            except ExpressionError as exc:
                bad = (v, exc)
                break
        if not attr.values:
            ctx.problem(path + ("values",), "the list of allowed values is empty")
        elif bad is not None:
            ctx.problem(path + ("values",), f"value {bad[0]!r} is not a {column.type}: {bad[1]}",
                        expected=f"values of {subject}'s type {column.type}", got=repr(bad[0]))
        else:
            _add_value_set(ctx, table, column, tuple(attr.values), inferred_values=False)
    if attr.check is not None:  # parsed once every column exists (a check may read a later column)
        ctx.attribute_checks.append((table, column.name, attr.check, path))
    if attr.unique:
        _add_unique(ctx, table, (column.name,), given(format_path(path)))
    elif attr.unique is False:
        table.uniques = [u for u in table.uniques if u.columns != (column.name,)]


def _lookup_values_unique(ctx: DesignContext) -> None:
    """A declared lookup entity lists each value once: its name/code column becomes unique."""
    if not ctx.spec.conventions.infer_types:
        return
    for i, entity in enumerate(ctx.spec.data_model.entities):
        table = ctx.table(table_name_for(entity.name))
        if table is None or table.kind != "lookup":
            continue
        explicit = {names.to_snake(a.name): a.unique for a in entity.attributes}
        for col in ("name", "code"):
            if table.has_column(col) and explicit.get(col) is None and table.index_leading((col,)) is None:
                _add_unique(ctx, table, (col,), inferred("constraint.lookup_unique", "each value once",
                                                         format_path(("data_model", "entities", i))))
                ctx.infer("constraint.lookup_unique", f"{table.name}.{col}", "UNIQUE",
                          "a lookup table lists each value once; duplicates would split what refers to them")
                break


def _attribute_checks(ctx: DesignContext) -> None:
    for table, column, text, path in ctx.attribute_checks:
        _add_check(ctx, table, f"{column}_rule", text, origin=given(format_path(path)), path=path + ("check",),
                   user=True)


def _set_expression(ctx: DesignContext, table: Table, column: Column, field_name: str, text: str, path) -> None:
    """default_expression / generated: any one expression (over the table's columns, for generated)."""
    if ctx.spec.conventions.strict_expressions:
        ctx.problem(path, f"{field_name} needs conventions.strict_expressions: false",
                    hint="use 'default' for a literal or a known function (now, today, uuid)")
        return
    try:
        expr, _ = parse_expression(text, [c.name for c in table.columns] if field_name == "generated" else ())
    except ExpressionError as exc:
        ctx.problem(path, f"bad {field_name} for {table.name}.{column.name}: {exc}", got=repr(text))
        return
    if field_name == "generated":
        column.generated = expr
    else:
        column.default = expr


def _add_value_set(ctx: DesignContext, table: Table, column: Column, values: tuple[str, ...],
                   inferred_values: bool) -> None:
    literals = ", ".join(names.quote_literal(v) for v in values)
    name = names.chk_name(table.name, column.name)
    table.checks = [c for c in table.checks if c.name != name]
    table.checks.append(CheckConstraint(
        name=name, expression=Expression(f"{names.quote_ident(column.name)} IN ({literals})"),
        columns=(column.name,), origin=inferred("type.status", "allowed values") if inferred_values else given()))
    if inferred_values:
        column.default = Expression(names.quote_literal(values[0]))
    elif column.default is None and guess_column(column.name).status_set:
        column.default = Expression(names.quote_literal(values[0]))
        ctx.infer("type.status", f"{table.name}.{column.name}", f"default {values[0]!r}",
                  "a status starts in the first state of its life cycle (set 'default' to change)")
    if inferred_values:
        ctx.infer("type.status", f"{table.name}.{column.name}", f"allowed values: {', '.join(values)}; "
                  f"default {values[0]!r}", "no values given; the usual life cycle of "
                  f"{table.name if table.name in STATUS_VALUES else 'a record'} (set 'values' to change)")


def _add_check(ctx: DesignContext, table: Table, suffix: str, text: str, origin, path=None, user=False) -> None:
    try:
        if ctx.spec.conventions.strict_expressions:
            expr, used = _parse_check_cached(text, frozenset((c.name, c.type) for c in table.columns))
        else:
            expr, used = parse_expression(text, [c.name for c in table.columns])
    except ExpressionError as exc:
        if user:
            ctx.problem(path, f"invalid check on {table.name}: {exc}", got=repr(text))
            return
        raise
    if user and (bad := typecheck.mismatch(text, {c.name: c.type for c in table.columns})) is not None:
        ctx.problem(path, f"ill-typed check on {table.name}: {bad}", got=repr(text),
                    hint="give the attributes a 'type' that fits the expression")
        return
    name = names.chk_name(table.name, suffix)
    if any(c.name == name for c in table.checks):
        if user:
            ctx.problem(path, f"a check named {name} already exists on {table.name}")
        return
    table.checks.append(CheckConstraint(name=name, expression=expr, columns=used, origin=origin))


@cache
def _parse_check_cached(text: str, columns: frozenset[tuple[str, DataType]]):
    """parse_check memoized: generated checks repeat across tables (price >= 0, name not blank...)."""
    return parse_check(text, dict(columns))


def _add_unique(ctx: DesignContext, table: Table, columns: tuple[str, ...], origin, name: str | None = None,
                nulls_not_distinct: bool = False) -> None:
    if any(u.name == name if name else u.columns == columns for u in table.uniques):
        return
    table.uniques.append(UniqueConstraint(name=name or names.uq_name(table.name, columns), columns=columns,
                                          nulls_not_distinct=nulls_not_distinct, origin=origin))


def _apply_constraints(ctx: DesignContext) -> None:
    """data_model.constraints and business_rules with a check become named constraints."""
    dm = ctx.spec.data_model
    for i, c in enumerate(dm.constraints):
        path = ("data_model", "constraints", i)
        table = _table_for(ctx, c.entity, path + ("entity",))
        if table is None:
            continue
        bad = [col for col in c.columns if not table.has_column(col)]
        if bad:
            ctx.problem(path + ("columns",), f"unknown column(s) {', '.join(bad)} in {table.name}",
                        expected=", ".join(col.name for col in table.columns))
            continue
        if c.type == "check":
            if not c.expression:
                ctx.problem(path + ("expression",), "a check constraint needs an expression")
                continue
            count = len(table.checks)
            _add_check(ctx, table, c.name or "rule_" + str(i + 1), c.expression, given(format_path(path)),
                       path + ("expression",), user=True)
            if len(table.checks) > count:
                check = table.checks[-1]
                if c.name:
                    check.name = c.name if c.name.startswith("chk_") or not ctx.spec.conventions.naming \
                        else names.chk_name(table.name, c.name)
                if not ctx.spec.conventions.naming:  # a spelled-out input: the description is the comment
                    check.comment = c.description or check.comment
        elif c.type == "unique":
            if not c.columns:
                ctx.problem(path + ("columns",), "a unique constraint needs columns")
                continue
            _add_unique(ctx, table, tuple(c.columns), given(format_path(path)),
                        name=c.name if c.name and not ctx.spec.conventions.naming else None,
                        nulls_not_distinct=c.nulls_not_distinct)
        elif c.type == "exclude":
            _add_exclusion(ctx, table, c, path)
        else:
            for col in c.columns:
                table.column(col).nullable = False
    for i, rule in enumerate(dm.business_rules):
        path = ("data_model", "business_rules", i)
        if rule.check is None:
            continue  # free text: design.rules compiles it
        if rule.entity is None:
            ctx.problem(path + ("entity",), "a business rule with a check needs the entity it applies to")
            continue
        table = _table_for(ctx, rule.entity, path + ("entity",))
        if table is not None:
            _add_check(ctx, table, rule.name, rule.check, given(format_path(path)), path + ("check",), user=True)
            if table.checks and table.checks[-1].origin.path == format_path(path):
                table.checks[-1].comment = rule.description or None


def _add_exclusion(ctx: DesignContext, table: Table, c, path) -> None:
    """A spelled-out EXCLUDE constraint (an import's): its elements and predicate over the table's columns."""
    if not c.elements:
        ctx.problem(path + ("elements",), "an exclusion constraint needs elements",
                    expected="[{column: room_id, operator: '='}, {column: during, operator: '&&'}]")
        return
    columns = [col.name for col in table.columns]
    bad = [e.column for e in c.elements if e.column is not None and not table.has_column(e.column)]
    if bad:
        ctx.problem(path + ("elements",), f"unknown column(s) {', '.join(bad)} in {table.name}",
                    expected=", ".join(columns))
        return
    if (c.where or any(e.expression for e in c.elements)) and ctx.spec.conventions.strict_expressions:
        ctx.problem(path, "expressions in an exclusion constraint need conventions.strict_expressions: false")
        return
    try:
        elements = tuple(ExclusionElement(operator=e.operator, column=e.column, expression=parse_expression(
            e.expression, columns)[0] if e.expression is not None else None) for e in c.elements)
        where = parse_expression(c.where, columns)[0] if c.where else None
    except ExpressionError as exc:
        ctx.problem(path, f"invalid exclusion constraint on {table.name}: {exc}")
        return
    name = c.name or names.shorten(f"{table.name}_{'_'.join(e.column or 'expr' for e in c.elements)}_excl")
    table.exclusions.append(ExclusionConstraint(
        name=name, elements=elements, method=c.using, where=where, deferrable=c.deferrable or c.initially_deferred,
        initially_deferred=c.initially_deferred, comment=c.description, origin=given(format_path(path))))


def _table_for(ctx: DesignContext, entity: str, path) -> Table | None:
    table = ctx.table(table_name_for(entity)) or ctx.table(entity)
    if table is None:
        close = difflib.get_close_matches(table_name_for(entity), [t.name for t in ctx.schema.tables], n=1)
        ctx.problem(path, f"unknown entity {entity!r}", hint=f"did you mean {close[0]!r}?" if close else None)
    return table


