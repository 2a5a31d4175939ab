"""``diff(old, new)``: the changes that turn one schema model into another.

Objects are matched by (schema-qualified) name, one compare function per concern. Renames come from
the hints in the new model (``Table.renamed_from``, ``Column.renamed_from``); the old model is then
*projected* through them (as PostgreSQL would rename things) and every other concern compares the
projection with the new model. Constraints, indexes and triggers whose name changed but whose
definition did not are renamed, not rebuilt. Equality follows ``model.compare.differences``
(expressions normalized), so an applied diff compares equal to its target.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from pglast import ast, parse_sql
from pglast.stream import RawStream

from schemawright.model.changes import (
    AddAggregate, AddCompositeType, AlterCompositeType, DropCompositeType, AddRule, AttachPartition, DetachPartition, DropRule, SetInherit, DropAggregate, AddColumn, AddConstraint, AddDomain, AddEnum, AddSequence, AlterSequence, DropSequence, AddExtension, AddForeignKey, AddFunction, AddIndex, AddTable, AddTrigger,
    AddView, AlterColumn, AlterDomain, AlterEnum, Change, CreateSchema, DropColumn, DropConstraint, DropDomain, DropEnum,
    DropExtension,
    DropForeignKey, DropFunction, DropIndex, DropSchema, DropTable, DropTrigger, DropView, EnumUse, RenameColumn,
    RenameConstraint, RenameEnum, RenameIndex, RenameTable, RenameTrigger, ReplaceFunction, SessionRole,
    SetComment, SetCluster, SetLogged,
)
from schemawright.diff.security import security, with_access
from schemawright.model.keys import argument_types, normalized, normalized_sql, trigger_function
from schemawright.model.compare import (
    AGGREGATE_ATTRS, aggregate_key, attribute_type, CHECK_ATTRS, COLUMN_ATTRS, DOMAIN_ATTRS, DOMAIN_IN_PLACE_ATTRS, SEQUENCE_ATTRS, FOREIGN_KEY_ATTRS, FUNCTION_ATTRS, INDEX_ATTRS, PRIMARY_KEY_ATTRS, TRIGGER_ATTRS,
    UNIQUE_ATTRS, VIEW_ATTRS, changed, definition, with_ref_schema,
)
from schemawright.model.names import quote_ident
from schemawright.model.schema import (
    Column, EnumType, ExclusionConstraint, Expression, ForeignKey, Function, Index, Schema, Table,
    Trigger, Unmodelled, View,
)
from schemawright.model.types import Kind

Key = tuple[str, str]


def diff(old: Schema, new: Schema) -> list[Change]:
    """Every change that turns ``old`` into ``new`` (apply them with ``diff.planning.plan``)."""
    from dataclasses import replace

    from schemawright.model.compare import catalog_apart, partitions_apart

    # Between a design and a live database, partitions and foreign tables are matched by name: a design's
    # partition the database holds exists already, one it does not hold is created; the database's other
    # partitions (those a designed PARTITION BY makes month by month) are left alone.
    if (new.unmodelled is None) != (old.unmodelled is None):
        # a task input carries no view options, triggers or column comments, nor comments on keys' indexes
        if new.unmodelled is None:
            old = _catalog_only_left_out(old)
        else:
            new = _catalog_only_left_out(new)
    if new.unmodelled is None and old.unmodelled is not None:
        listed = catalog_apart(old)
        new = replace(new, tables=[t for t in new.tables if (t.partition_of is None and t.foreign_server is None)
                                   or (t.schema, t.name) not in listed])
        old = replace(old, tables=partitions_apart(old, new)[0])
    elif old.unmodelled is None and new.unmodelled is not None:
        old = replace(old, tables=partitions_apart(old, new)[0])
        new = replace(new, tables=partitions_apart(new, old)[0])
    renames, projected = _renames(old, new)
    functions, rebuilt_functions = _functions(projected, new)
    tables, touched = _tables(projected, new, rebuilt_functions)
    views, rebuilt_views = _views(projected, new, touched)
    changes = [*_schemas(old, new), *_extensions(old, new), *renames, *_enums(projected, new, rebuilt_views),
               *_composite_types(projected, new), *_domains(projected, new), *_sequences(projected, new),
               *functions, *_aggregates(projected, new, rebuilt_functions), *tables, *views]
    changes = with_access(changes, projected, new)
    changes += security(projected, new, touched, changes)
    return changes if any(not isinstance(c, SessionRole) for c in changes) else []


def _catalog_only_left_out(schema: Schema) -> Schema:
    """A catalog's schema without what only a catalog holds (compared with a design, it is left alone)."""
    from dataclasses import replace

    def keys(t: Table) -> Table:
        if not any(k.index_comment for k in [*([t.primary_key] if t.primary_key else []), *t.uniques, *t.exclusions]):
            return t
        return replace(t, primary_key=replace(t.primary_key, index_comment=None) if t.primary_key else None,
                       uniques=[replace(u, index_comment=None) for u in t.uniques],
                       exclusions=[replace(x, index_comment=None) for x in t.exclusions])

    return replace(schema, views=[replace(v, options=(), triggers=[], column_comments={}) for v in schema.views],
                   tables=[keys(t) for t in schema.tables])


# --- small helpers ---------------------------------------------------------------------------------

def _by_key(items: Iterable, key: Callable) -> dict:
    return {key(item): item for item in items}


def _qkey(obj) -> Key:
    return (obj.schema, obj.name)


def _pair(old: list, new: list, definition: Callable):
    """(dropped, added, same-name pairs, renamed pairs): matched by name, then leftovers with equal
    definitions as renames."""
    old_by, new_by = _by_key(old, lambda o: o.name), _by_key(new, lambda o: o.name)
    dropped = [o for name, o in old_by.items() if name not in new_by]
    added = [n for name, n in new_by.items() if name not in old_by]
    both = [(old_by[name], n) for name, n in new_by.items() if name in old_by]
    renamed = []
    for n in list(added):
        d = next((o for o in dropped if definition(o) == definition(n)), None)
        if d is not None:
            renamed.append((d, n))
            dropped.remove(d)
            added.remove(n)
    return dropped, added, both, renamed


# --- renames ---------------------------------------------------------------------------------------

def _renames(old: Schema, new: Schema) -> tuple[list[Change], Schema]:
    """Rename changes from the hints, and ``old`` as it looks after them."""
    old_tables = _by_key(old.tables, _qkey)
    new_tables = _by_key(new.tables, _qkey)
    table_map: dict[Key, str] = {}
    changes: list[Change] = []
    for t in new.tables:
        src = (t.schema, t.renamed_from)
        if t.renamed_from and src in old_tables and _qkey(t) not in old_tables and src not in new_tables:
            table_map[src] = t.name
            changes.append(RenameTable(t.schema, t.renamed_from, t.name))
    column_map: dict[Key, dict[str, str]] = {}  # keyed by the table's new name
    for (schema, old_name), o in old_tables.items():
        t = new_tables.get((schema, table_map.get((schema, old_name), old_name)))
        if t is None:
            continue
        for c in t.columns:
            if c.renamed_from and o.has_column(c.renamed_from) and not o.has_column(c.name) \
                    and not t.has_column(c.renamed_from):
                column_map.setdefault(_qkey(t), {})[c.renamed_from] = c.name
                changes.append(RenameColumn(schema, t.name, c.renamed_from, c.name))
    enum_map = _enum_renames(old, new, table_map, column_map)
    changes += [RenameEnum(schema, o, n) for (schema, o), n in enum_map.items()]
    if not changes:
        return [], old
    projected = _project(old, table_map, column_map)
    return changes, _rename_enums(projected, enum_map) if enum_map else projected


def _enum_renames(old: Schema, new: Schema, table_map: dict[Key, str],
                  column_map: dict[Key, dict[str, str]]) -> dict[Key, str]:
    """Enum types renamed with their table: a column of a renamed table held enum A and holds enum B,
    A is gone, B is new and both have the same labels (``orders_status`` -> ``purchases_status``)."""
    old_enums, new_enums = _by_key(old.enums, _qkey), _by_key(new.enums, _qkey)
    new_tables = _by_key(new.tables, _qkey)
    out: dict[Key, str] = {}
    for (schema, old_name), new_name in table_map.items():
        o, n = next(t for t in old.tables if _qkey(t) == (schema, old_name)), new_tables[(schema, new_name)]
        renamed_cols = column_map.get((schema, new_name), {})
        for col in o.columns:
            target = n.column(renamed_cols.get(col.name, col.name))
            if target is None or col.type.kind != Kind.ENUM or target.type.kind != Kind.ENUM:
                continue
            a, b = (schema, col.type.name), (schema, target.type.name)
            if a != b and a in old_enums and a not in new_enums and b in new_enums and b not in old_enums \
                    and tuple(old_enums[a].values) == tuple(new_enums[b].values) and a not in out:
                out[a] = b[1]
    return out


def _rename_enums(schema: Schema, enum_map: dict[Key, str]) -> Schema:
    """``schema`` with the enum types of ``enum_map`` renamed, in the type list and in every column."""
    enums = [replace(e, name=enum_map.get(_qkey(e), e.name)) for e in schema.enums]
    tables = []
    for t in schema.tables:
        if any(c.type.kind == Kind.ENUM and (t.schema, c.type.name) in enum_map for c in t.columns):
            t = copy.deepcopy(t)
            for c in t.columns:
                if c.type.kind == Kind.ENUM and (t.schema, c.type.name) in enum_map:
                    c.type = replace(c.type, name=enum_map[(t.schema, c.type.name)])
        tables.append(t)
    return replace(schema, enums=enums, tables=tables)


def _project(old: Schema, table_map: dict[Key, str], column_map: dict[Key, dict[str, str]]) -> Schema:
    tables = []
    for t in old.tables:
        name = table_map.get(_qkey(t), t.name)
        refs = any((ref := (fk.ref_schema or t.schema, fk.ref_table)) in table_map
                   or set(fk.ref_columns) & set(column_map.get(ref, ())) for fk in t.foreign_keys)
        if name == t.name and (t.schema, name) not in column_map and not refs:
            tables.append(t)
            continue
        t = copy.deepcopy(t)
        t.name = name
        _rename_columns(t, column_map.get((t.schema, name), {}))
        for fk in t.foreign_keys:
            ref = (fk.ref_schema or t.schema, fk.ref_table)
            fk.ref_table = table_map.get(ref, fk.ref_table)
            cols = column_map.get((ref[0], fk.ref_table), {})
            fk.ref_columns = tuple(cols.get(c, c) for c in fk.ref_columns)
        tables.append(t)
    renamed = {old_name: new_name for (_, old_name), new_name in table_map.items()}
    views = [replace(v, depends_on=tuple(renamed.get(d, d) for d in v.depends_on)) for v in old.views]
    grants = [replace(g, object_name=table_map.get((g.schema, g.object_name), g.object_name))
              if g.object_type == "table" else g for g in old.grants]
    # policies keep their expressions' old text: rebuilt when it names a renamed column (like views)
    policies = [replace(p, table=table_map.get((p.schema, p.table), p.table)) for p in old.policies]
    return replace(old, tables=tables, views=views, grants=grants, policies=policies)


def _rename_columns(t: Table, mapping: dict[str, str]) -> None:
    if not mapping:
        return
    def cols(names):
        return tuple(mapping.get(c, c) for c in names)

    def expr(e):
        return None if e is None else Expression(rename_in_expression(e.sql, tuple(mapping.items())))
    for c in t.columns:
        c.name = mapping.get(c.name, c.name)
        c.generated = expr(c.generated)
    if t.primary_key:
        t.primary_key.columns = cols(t.primary_key.columns)
    for u in t.uniques:
        u.columns = cols(u.columns)
    for ck in t.checks:
        ck.columns, ck.expression = cols(ck.columns), expr(ck.expression)
    for fk in t.foreign_keys:
        fk.columns = cols(fk.columns)
    for ix in t.indexes:
        ix.elements = tuple(replace(e, column=mapping.get(e.column, e.column), expression=expr(e.expression))
                            for e in ix.elements)
        ix.where, ix.include = expr(ix.where), cols(ix.include)


@lru_cache(maxsize=4096)
def rename_in_expression(sql: str, mapping: tuple[tuple[str, str], ...]) -> str:
    """``sql`` with column references renamed (old, new); unchanged when it cannot be parsed."""
    names = dict(mapping)
    try:
        node = parse_sql("SELECT " + sql)[0].stmt.targetList[0].val
    except Exception:  # pglast rejects the text: leave it (the object is then rebuilt, never wrong)
        return sql

    def visit(n):
        if isinstance(n, tuple):
            for item in n:
                visit(item)
        elif isinstance(n, ast.ColumnRef):
            last = n.fields[-1]
            if isinstance(last, ast.String) and last.sval in names:
                n.fields = (*n.fields[:-1], ast.String(sval=names[last.sval]))
        elif isinstance(n, ast.Node):
            for member in n:
                visit(getattr(n, member))
    visit(node)
    return RawStream()(node)


# --- schemas, extensions, enums --------------------------------------------------------------------

def namespaces(schema: Schema) -> set[str]:
    """The schemas (namespaces) a model uses or lists in ``Schema.schemas``, except public."""
    names = {o.schema for group in (schema.tables, schema.views, schema.enums, schema.domains, schema.functions)
             for o in group}
    names |= set(schema.schemas)
    names.discard("public")
    return names


PUBLIC_SCHEMA_COMMENT = "standard public schema"  # initdb's comment on public (PostgreSQL 15 on)


def _schemas(old: Schema, new: Schema) -> list[Change]:
    before, after = namespaces(old), namespaces(new)
    out: list[Change] = [CreateSchema(n) for n in sorted(after - before)] + [DropSchema(n) for n in sorted(before - after)]
    for n in sorted(set(old.schema_comments) | set(new.schema_comments)):  # COMMENT ON SCHEMA
        was, now = old.schema_comments.get(n), new.schema_comments.get(n)
        if was != now and not (now is None and n in before - after):  # a dropped schema takes its comment along
            if n == "public":  # no comment read for public is its default comment (pg_dump leaves it out too)
                was, now = was or PUBLIC_SCHEMA_COMMENT, now or PUBLIC_SCHEMA_COMMENT
            out.append(SetComment("schema", n, n, was, now))
    return out


def _extensions(old: Schema, new: Schema) -> list[Change]:
    before, after = set(old.extensions), set(new.extensions)
    return ([AddExtension(e) for e in new.extensions if e not in before]
            + [DropExtension(e) for e in old.extensions if e not in after])


def _enums(old: Schema, new: Schema, rebuilt_views: set[Key]) -> list[Change]:
    old_by, new_by = _by_key(old.enums, _qkey), _by_key(new.enums, _qkey)
    out: list[Change] = [DropEnum(e) for k, e in old_by.items() if k not in new_by]
    out += [AddEnum(e) for k, e in new_by.items() if k not in old_by]
    for key, n in new_by.items():
        o = old_by.get(key)
        if o is None:
            continue
        if tuple(o.values) != tuple(n.values):
            uses, reverse_uses = _enum_uses(old, new, o), _enum_uses(new, old, n)
            tables = {u.table for u in uses + reverse_uses}
            views = _views_over(old, new, tables, o.name, rebuilt_views)
            out.append(AlterEnum(o, n, tuple(uses), tuple(reverse_uses), tuple(views)))
        if o.comment != n.comment:
            out.append(SetComment("type", n.schema, n.name, o.comment, n.comment))
    return out


def _sequences(old: Schema, new: Schema) -> list[Change]:
    """Sequences added, dropped or altered: only between two catalogs (a design has identity columns, and
    a serial column's sequence is made with the column)."""
    if old.unmodelled is None or new.unmodelled is None:
        return []
    old_by, new_by = _by_key(old.sequences, _qkey), _by_key(new.sequences, _qkey)
    out: list[Change] = [DropSequence(s) for k, s in old_by.items() if k not in new_by]
    out += [AddSequence(s) for k, s in new_by.items() if k not in old_by]
    out += [AlterSequence(old_by[k], s) for k, s in new_by.items() if k in old_by and changed(SEQUENCE_ATTRS, old_by[k], s)]
    out += [SetComment("sequence", s.schema, s.name, old_by[k].comment, s.comment) for k, s in new_by.items()
            if k in old_by and old_by[k].comment != s.comment]
    return out


def _composite_types(old: Schema, new: Schema) -> list[Change]:
    """Composite types added, dropped or altered in place (a task input carries them too: data_model.composite_types)."""
    old_by, new_by = _by_key(old.composite_types, _qkey), _by_key(new.composite_types, _qkey)
    out: list[Change] = [DropCompositeType(t) for k, t in old_by.items() if k not in new_by]
    out += [AddCompositeType(t) for k, t in new_by.items() if k not in old_by]
    out += [AlterCompositeType(old_by[k], t) for k, t in new_by.items()
            if k in old_by and (_attributes(old_by[k]) != _attributes(t) or old_by[k].comment != t.comment)]
    return out


def _attributes(t) -> tuple:
    return tuple((name, attribute_type(text)) for name, text in t.attributes)


def _domains(old: Schema, new: Schema) -> list[Change]:
    """Domains added, dropped, or changed: in place (default, NOT NULL, checks, comment), else (another base
    type or collation) dropped and created again."""
    old_by, new_by = _by_key(old.domains, _qkey), _by_key(new.domains, _qkey)
    out: list[Change] = [DropDomain(d) for k, d in old_by.items() if k not in new_by]
    out += [AddDomain(d) for k, d in new_by.items() if k not in old_by]
    for key, n in new_by.items():
        o = old_by.get(key)
        if o is None:
            continue
        if changed(DOMAIN_ATTRS, o, n):
            out += [DropDomain(o), AddDomain(n)]
        elif changed(DOMAIN_IN_PLACE_ATTRS, o, n) or o.comment != n.comment:
            out.append(AlterDomain(o, n))
    return out


def uses_enum(table: Table, column: Column, enum: EnumType) -> bool:
    t = column.type
    if t.kind == Kind.ENUM:
        return t.name == enum.name and table.schema == enum.schema
    if t.kind == Kind.OTHER and t.name:
        name = t.name.removesuffix("[]" * t.array_dims)
        return name in (f"{enum.schema}.{enum.name}", f"{quote_ident(enum.schema)}.{quote_ident(enum.name)}") \
            or (enum.schema == "public" and name in (enum.name, quote_ident(enum.name)))
    return False


def _enum_uses(state: Schema, other: Schema, enum: EnumType) -> list[EnumUse]:
    """Columns of ``state`` holding ``enum`` that also exist in ``other``."""
    other_tables = _by_key(other.tables, _qkey)
    out = []
    for t in state.tables:
        o = other_tables.get(_qkey(t))
        for c in t.columns:
            if o is not None and o.has_column(c.name) and uses_enum(t, c, enum):
                out.append(EnumUse(t.schema, t.name, c.name, c.default, c.type.array_dims))
    return out


def _views_over(old: Schema, new: Schema, tables: set[str], type_name: str, skip: set[Key]) -> list[View]:
    """Views kept as they are (in both models, not in ``skip``) that read ``tables`` or name the type,
    and the kept views over those."""
    word = re.compile(rf"\b{re.escape(type_name)}\b")
    old_keys = {_qkey(v) for v in old.views}
    pending = [v for v in new.views if _qkey(v) in old_keys and _qkey(v) not in skip]
    names, chosen = set(tables), []
    while found := [v for v in pending if v not in chosen and (names & set(v.depends_on) or word.search(v.query))]:
        chosen += found
        names |= {v.name for v in found}
    return chosen


# --- functions -------------------------------------------------------------------------------------

def _function_key(f: Function) -> tuple[str, str, str]:
    return (f.schema, f.name, argument_types(f.arguments).lower())


def _function_definition(f: Function) -> tuple:
    """The shared core's definition (model.compare.FUNCTION_ATTRS): result type first, arguments last."""
    return definition(FUNCTION_ATTRS, f)


def _functions(old: Schema, new: Schema) -> tuple[list[Change], set[Key]]:
    """Function changes, and the functions dropped and created again (their triggers are rebuilt)."""
    old_by, new_by = _by_key(old.functions, _function_key), _by_key(new.functions, _function_key)
    out: list[Change] = [DropFunction(f) for k, f in old_by.items() if k not in new_by]
    out += [AddFunction(f) for k, f in new_by.items() if k not in old_by]
    rebuilt: set[Key] = set()
    for key, n in new_by.items():
        o = old_by.get(key)
        if o is None:
            continue
        before, after = _function_definition(o), _function_definition(n)
        if before != after:
            in_place = (before[0], before[-1]) == (after[0], after[-1])  # same result type and arguments
            out.append(ReplaceFunction(o, n, in_place))
            if not in_place:
                rebuilt.add(_qkey(n))
        if o.comment != n.comment:
            out.append(SetComment("function", n.schema, n.name, o.comment, n.comment, argument_types(n.arguments)))
    return out, rebuilt


def _aggregates(old: Schema, new: Schema, rebuilt_functions: set[Key]) -> list[Change]:
    """Aggregates added, dropped, or changed (dropped and created again; also when a function they use is)."""
    old_by, new_by = _by_key(old.aggregates, aggregate_key), _by_key(new.aggregates, aggregate_key)
    out: list[Change] = [DropAggregate(a) for k, a in old_by.items() if k not in new_by]
    out += [AddAggregate(a) for k, a in new_by.items() if k not in old_by]
    for key, n in new_by.items():
        o = old_by.get(key)
        if o is None:
            continue
        uses = {value.lower() for _, value in definition(AGGREGATE_ATTRS, n)[1]}  # its functions among them
        rebuilt = any(schema == n.schema and name.lower() in uses for schema, name in rebuilt_functions)
        if changed(AGGREGATE_ATTRS, o, n) or rebuilt:
            out += [DropAggregate(o), AddAggregate(n)]
        elif o.comment != n.comment:
            out.append(SetComment("aggregate", n.schema, n.name, o.comment, n.comment, n.arguments))
    return out


# --- tables ----------------------------------------------------------------------------------------

# Definitions come from the one comparison core (model.compare), which verify's ``differences`` uses too.

def column_changes(old: Column, new: Column) -> tuple[str, ...]:
    """Which of type, nullable, default, identity, generated differ."""
    return tuple(name for name, _, _ in changed(COLUMN_ATTRS, old, new))


def _index_key(ix: Index) -> tuple:
    return definition(INDEX_ATTRS, ix)


def _fk_key(schema: str) -> Callable[[ForeignKey], tuple]:
    return lambda fk: definition(FOREIGN_KEY_ATTRS, with_ref_schema(fk, schema))


def _trigger_key(tr: Trigger) -> tuple:
    return definition(TRIGGER_ATTRS, tr)


def _constraint_key(c) -> tuple:
    if isinstance(c, ExclusionConstraint):
        return ("exclude", c.method.lower(), tuple((e.column or normalized(e.expression), e.operator)
                                                   for e in c.elements),
                normalized(c.where), c.deferrable, c.initially_deferred)
    if hasattr(c, "expression"):
        return ("check", *definition(CHECK_ATTRS, c))
    if hasattr(c, "nulls_not_distinct"):
        return ("unique", *definition(UNIQUE_ATTRS, c))
    return ("primary key", *definition(PRIMARY_KEY_ATTRS, c))


def _tables(old: Schema, new: Schema, rebuilt_functions: set[Key]) -> tuple[list[Change], set[str]]:
    """Table changes, and the names of tables whose views must be rebuilt (dropped, retyped columns)."""
    old_by, new_by = _by_key(old.tables, _qkey), _by_key(new.tables, _qkey)
    out: list[Change] = []
    touched: set[str] = set()
    rebuilt_keys: set[tuple[str, str, frozenset]] = set()  # (schema, table, columns) of rebuilt PK/uniques
    recreated: set[Key] = set()
    drops: list[Table] = []
    adds: list[Table] = []
    for key, o in old_by.items():
        n = new_by.get(key)
        if n is None or _partition_key(o) != _partition_key(n) or (o.foreign_server is None) != (n.foreign_server is None):
            drops.append(o)
            touched.add(o.name)
            if n is not None:
                adds.append(n)
                recreated.add(key)
    adds += [n for k, n in new_by.items() if k not in old_by]
    # children (partitions, INHERITS) are dropped before their parents and created after them
    out += [DropTable(t) for t in reversed(_parents_first(drops))]
    out += [_add_table(t, new_by, _default_rows(t, old_by, new_by)) for t in _parents_first(adds)]
    inherited = _inherited_changes(old_by, new_by, recreated, rebuilt_functions)
    both_catalogs = old.unmodelled is not None and new.unmodelled is not None
    for key, n in new_by.items():
        o = old_by.get(key)
        if o is not None and key not in recreated:
            out += _table(o, n, touched, rebuilt_keys, rebuilt_functions, inherited.get(key, set()))
            out += _lineage(o, n, recreated, old_by, new_by)
            if both_catalogs:  # a design's rules are the importer's text, a catalog's PostgreSQL's
                out += _rules(o, n)
    out += _dependent_foreign_keys(old_by, new_by, out, rebuilt_keys, recreated)
    return out, touched


def _default_rows(t: Table, old_by: dict, new_by: dict) -> tuple[str, tuple[str, ...]] | None:
    """For a partition attached to a parent whose DEFAULT partition exists already: (that partition's name, the
    parent's partition key), for the dialect to count the default partition's rows within ``t``'s bound, which
    ATTACH would refuse; None otherwise."""
    if t.partition_of is None or _bound(t).upper() == "DEFAULT":
        return None
    parent = new_by.get((t.schema, t.partition_of))
    default = next((o for o in old_by.values() if (o.schema, o.partition_of) == (t.schema, t.partition_of)
                    and _bound(o).upper() == "DEFAULT" and o.name != t.name), None)
    if parent is None or parent.partitioning is None or default is None:
        return None
    return default.name, tuple(parent.partitioning.columns)


def _add_table(t: Table, tables: dict, default_rows: tuple[str, tuple[str, ...]] | None = None) -> AddTable:
    """AddTable; an INHERITS child leaves out the columns and checks it gets from its parents unchanged."""
    columns: set[str] = set()
    checks: set[str] = set()
    defaults: dict[str, str | None] = {}
    for name in t.inherits:
        parent = tables.get((t.schema, name))
        if parent is None:
            continue
        for pc in parent.columns:
            c = t.column(pc.name)
            if c is not None and set(column_changes(pc, c)) <= {"default"} and c.comment is None:
                columns.add(c.name)
                if column_changes(pc, c):
                    defaults[c.name] = c.default.sql if c.default is not None else None
        own = {c.name: c for c in t.checks}
        checks |= {pc.name for pc in parent.checks if not pc.no_inherit and pc.name in own
                   and _constraint_key(pc) == _constraint_key(own[pc.name])}
    return AddTable(t, inherited_columns=tuple(sorted(columns)), inherited_checks=tuple(sorted(checks)),
                    inherited_defaults=tuple(sorted(defaults.items())), default_rows=default_rows)


def _parents_first(tables: list[Table]) -> list[Table]:
    """``tables`` with each partition or INHERITS child after its parents among them (otherwise in order)."""
    by = {(t.schema, t.name): t for t in tables}
    done: dict[Key, Table] = {}

    def visit(t: Table, seen: frozenset = frozenset()) -> None:
        key = (t.schema, t.name)
        if key in done or key in seen:
            return
        for parent in ((t.partition_of,) if t.partition_of else ()) + tuple(t.inherits):
            if (t.schema, parent) in by:
                visit(by[(t.schema, parent)], seen | {key})
        done[key] = t
    for t in tables:
        visit(t)
    return list(done.values())


def _parents(t: Table) -> tuple[str, ...]:
    return ((t.partition_of,) if t.partition_of else ()) + tuple(t.inherits)


def _inherited_changes(old_by: dict, new_by: dict, recreated: set[Key], rebuilt_functions: set[Key]) -> dict:
    """By child (a partition or an INHERITS child of a parent kept on both sides): the names of the columns and
    checks whose change its parent makes (PostgreSQL carries a parent's ADD/DROP/ALTER COLUMN and its
    inheritable checks down to the children), so the child's own diff leaves them alone."""
    out: dict[Key, set[str]] = {}
    for key, n in new_by.items():
        o = old_by.get(key)
        if o is None or key in recreated:
            continue
        names: set = set()
        kept = set(o.inherits) & set(n.inherits)
        if o.partition_of == n.partition_of and _bound(o) == _bound(n):  # not detached on the way
            kept |= set(_parents(n)) - set(n.inherits)
        for parent in kept:
            po, pn = old_by.get((n.schema, parent)), new_by.get((n.schema, parent))
            if po is None or pn is None or (n.schema, parent) in recreated:
                continue
            old_cols, new_cols = _by_key(po.columns, lambda c: c.name), _by_key(pn.columns, lambda c: c.name)
            names |= {("add", c) for c in new_cols.keys() - old_cols.keys()}
            names |= {("drop", c) for c in old_cols.keys() - new_cols.keys()}
            names |= {("alter", c) for c in old_cols.keys() & new_cols.keys()
                      if column_changes(old_cols[c], new_cols[c])}
            old_checks = {c.name: c for c in po.checks if not c.no_inherit}
            new_checks = {c.name: c for c in pn.checks if not c.no_inherit}
            names |= {("check", c) for c in old_checks.keys() ^ new_checks.keys()}
            names |= {("check", c) for c in old_checks.keys() & new_checks.keys()
                      if _constraint_key(old_checks[c]) != _constraint_key(new_checks[c])}
        if names:
            out[key] = names
    return out


def _bound(t: Table) -> str:
    return " ".join((t.partition_bound or "").split())


def _swappable(child: Table, came: list[str], gone: list[str], before: dict, after: dict) -> bool:
    """Whether ``child`` (as it stands before the migration) can INHERIT each of ``came`` before it lets go
    of ``gone``, as the tables stand when new tables are created (before any column changes): the old parents
    are kept, the new parents' columns are the child's already (same type, NOT NULL where they are)."""
    if any((child.schema, p) not in after or (child.schema, p) not in before for p in gone):
        return False
    for p in came:
        parent = before.get((child.schema, p)) or after.get((child.schema, p))
        if parent is None:
            return False
        for col in parent.columns:
            own = child.column(col.name)
            if own is None or "type" in column_changes(own, col) or (own.nullable and not col.nullable):
                return False
    return True


def _lineage(o: Table, n: Table, recreated: set[Key], old_by: dict, new_by: dict) -> list[Change]:
    """ATTACH / DETACH PARTITION and INHERIT / NO INHERIT between a kept table's two sides."""
    out: list[Change] = []
    same = o.partition_of == n.partition_of and _bound(o) == _bound(n)
    if not same:
        if o.partition_of is not None and (n.schema, o.partition_of) not in recreated:
            own = [*([o.primary_key] if o.primary_key else []), *o.uniques, *o.checks, *o.exclusions,
                   *o.foreign_keys, *o.indexes]
            out.append(DetachPartition(o.schema, o.partition_of, o.name, o.partition_bound or "",
                                       tuple(x.name for x in own)))
        if n.partition_of is not None:
            out.append(AttachPartition(n.schema, n.partition_of, n.name, n.partition_bound or "",
                                       _default_rows(n, old_by, new_by)))
    gone = [p for p in o.inherits if p not in n.inherits and (n.schema, p) not in recreated]
    came = [p for p in n.inherits if p not in o.inherits]
    # a child moving from parents to others keeps the columns both hand down inherited (NO INHERIT first would
    # make them its own, as pg_dump then shows them) when it can take the new parents first, in either direction
    swap = bool(gone and came) and _swappable(o, came, gone, old_by, new_by)
    back = bool(gone and came) and _swappable(n, gone, came, new_by, old_by)
    out += [SetInherit(n.schema, n.name, p, False, swap, back) for p in gone]
    out += [SetInherit(n.schema, n.name, p, True, swap, back) for p in came]
    return out


def _rules(o: Table, n: Table) -> list[Change]:
    out: list[Change] = []
    for name, text in o.rules.items():
        if n.rules.get(name) != text:
            out.append(DropRule(o.schema, o.name, name, text))
    for name, text in n.rules.items():
        if o.rules.get(name) != text:
            out.append(AddRule(n.schema, n.name, name, text))
    return out


def _partition_key(t: Table) -> tuple | None:
    p = t.partitioning
    return None if p is None else (p.strategy.lower(), tuple(normalized_sql(c) for c in p.columns))


def _table(o: Table, n: Table, touched: set[str], rebuilt_keys: set, rebuilt_functions: set[Key],
           inherited: set = frozenset()) -> list[Change]:
    """A kept table's changes; ``inherited``: (add | drop | alter | check, name) of its columns and checks whose
    change its parent makes."""
    s, name, part = n.schema, n.name, n.partitioning is not None
    out: list[Change] = []
    if o.comment != n.comment:
        out.append(SetComment("table", s, name, o.comment, n.comment))
    if o.unlogged != n.unlogged:
        out.append(SetLogged(s, name, n.unlogged))
    rebuilt_cluster = False
    rebuilt_columns: set[str] = set()
    old_cols, new_cols = _by_key(o.columns, lambda c: c.name), _by_key(n.columns, lambda c: c.name)
    for c in o.columns:
        if c.name not in new_cols:
            if ("drop", c.name) not in inherited:
                out.append(DropColumn(s, name, c))
            touched.add(name)
    for c in n.columns:
        if ("add", c.name) in inherited or ("alter", c.name) in inherited:
            if old_cols.get(c.name) is not None and column_changes(old_cols[c.name], c):
                touched.add(name)
            continue
        # a column the parent drops goes from the child too: one the child keeps is added again
        oc = None if ("drop", c.name) in inherited else old_cols.get(c.name)
        if oc is None:
            out.append(AddColumn(s, name, c))
            continue
        changed = column_changes(oc, c)
        if changed:
            out.append(AlterColumn(s, name, oc, c, changed, part))
            if "type" in changed or "generated" in changed:
                touched.add(name)
            if "generated" in changed:  # rebuilt one way or the other: its keys and indexes go with it
                rebuilt_columns.add(c.name)
        if oc.comment != c.comment and c.name not in rebuilt_columns:
            out.append(SetComment("column", s, c.name, oc.comment, c.comment, parent=name))

    def stale(obj_columns: Iterable[str], text: str = "") -> bool:
        return any(col in rebuilt_columns for col in obj_columns) or any(
            re.search(rf"\b{re.escape(col)}\b", text) for col in rebuilt_columns)

    constraints_old = ([o.primary_key] if o.primary_key else []) + o.uniques + o.checks + o.exclusions
    constraints_new = ([n.primary_key] if n.primary_key else []) + n.uniques + n.checks + n.exclusions
    if inherited:  # a parent's checks reach its children by themselves
        constraints_old = [c for c in constraints_old if not hasattr(c, "expression") or ("check", c.name) not in inherited]
        constraints_new = [c for c in constraints_new if not hasattr(c, "expression") or ("check", c.name) not in inherited]
    dropped, added, both, renamed = _pair(constraints_old, constraints_new, _constraint_key)
    for a, b in both:
        if _constraint_key(a) != _constraint_key(b) or stale(b.columns, str(getattr(b, "expression", ""))):
            dropped.append(a)
            added.append(b)
            continue
        if a.comment != b.comment:
            out.append(SetComment("constraint", s, b.name, a.comment, b.comment, parent=name))
        if getattr(a, "index_comment", None) != getattr(b, "index_comment", None):  # a key's own index
            out.append(SetComment("index", s, b.name, a.index_comment, b.index_comment))
    for c in dropped:
        out.append(DropConstraint(s, name, c, part))
        if not hasattr(c, "expression") and not isinstance(c, ExclusionConstraint):
            rebuilt_keys.add((s, name, frozenset(c.columns)))
    out += [AddConstraint(s, name, c, part) for c in added]
    for a, b in renamed:
        out.append(RenameConstraint(s, name, a.name, b.name))
        if a.comment != b.comment:
            out.append(SetComment("constraint", s, b.name, a.comment, b.comment, parent=name))
        if getattr(a, "index_comment", None) != getattr(b, "index_comment", None):  # renamed with its key
            out.append(SetComment("index", s, b.name, a.index_comment, b.index_comment))

    fk_key = _fk_key(s)
    dropped, added, both, renamed = _pair(o.foreign_keys, n.foreign_keys, fk_key)
    for a, b in both:
        if fk_key(a) != fk_key(b) or stale(b.columns):
            dropped.append(a)
            added.append(b)
        elif a.comment != b.comment:
            out.append(SetComment("constraint", s, b.name, a.comment, b.comment, parent=name))
    out += [DropForeignKey(s, name, fk, part) for fk in dropped]
    out += [AddForeignKey(s, name, fk, part) for fk in added]
    out += [RenameConstraint(s, name, a.name, b.name) for a, b in renamed]
    out += [SetComment("constraint", s, b.name, a.comment, b.comment, parent=name) for a, b in renamed
            if a.comment != b.comment]

    dropped, added, both, renamed = _pair(o.indexes, n.indexes, _index_key)
    for a, b in both:
        if _index_key(a) != _index_key(b) or stale(b.include, " ".join(map(str, (*b.columns, b.where or "")))):
            dropped.append(a)
            added.append(b)
        elif a.comment != b.comment:
            out.append(SetComment("index", s, b.name, a.comment, b.comment))
    for ix in dropped:
        rebuilt_cluster = rebuilt_cluster or ix.name == n.cluster_on
        out.append(DropIndex(s, name, ix, part))
        if ix.unique and ix.where is None:
            rebuilt_keys.add((s, name, frozenset(ix.columns)))
    out += [AddIndex(s, name, ix, part) for ix in added]
    for a, b in renamed:
        out.append(RenameIndex(s, a.name, b.name))
        if a.comment != b.comment:
            out.append(SetComment("index", s, b.name, a.comment, b.comment))

    dropped, added, both, renamed = _pair(o.triggers, n.triggers, _trigger_key)
    for a, b in both:
        if _trigger_key(a) != _trigger_key(b) or trigger_function(s, b) in rebuilt_functions:
            dropped.append(a)
            added.append(b)
        elif a.comment != b.comment:
            out.append(SetComment("trigger", s, b.name, a.comment, b.comment, parent=name))
    out += [DropTrigger(s, name, tr) for tr in dropped]
    out += [AddTrigger(s, name, tr) for tr in added]
    out += [RenameTrigger(s, name, a.name, b.name) for a, b in renamed]
    out += [SetComment("trigger", s, b.name, a.comment, b.comment, parent=name) for a, b in renamed
            if a.comment != b.comment]
    rebuilt_cluster = rebuilt_cluster or any(isinstance(c, DropConstraint) and c.constraint.name == n.cluster_on
                                             for c in out)
    if o.cluster_on != n.cluster_on or (n.cluster_on and rebuilt_cluster):
        out.append(SetCluster(s, name, o.cluster_on, n.cluster_on))
    return out


def _dependent_foreign_keys(old_by: dict, new_by: dict, changes: list[Change], rebuilt_keys: set,
                            recreated: set[Key]) -> list[Change]:
    """Unchanged foreign keys that must be dropped and added again because the key they reference is
    rebuilt (or its table recreated)."""
    seen = {(c.schema, c.table, c.foreign_key.name) for c in changes if isinstance(c, DropForeignKey)}
    out: list[Change] = []
    for key, n in new_by.items():
        o = old_by.get(key)
        if o is None or key in recreated:
            continue
        for fk in n.foreign_keys:
            ref = (fk.ref_schema or n.schema, fk.ref_table)
            if (n.schema, n.name, fk.name) in seen or not any(f.name == fk.name for f in o.foreign_keys):
                continue
            if ref in recreated or (*ref, frozenset(fk.ref_columns)) in rebuilt_keys:
                old_fk = next(f for f in o.foreign_keys if f.name == fk.name)
                part = n.partitioning is not None
                out += [DropForeignKey(n.schema, n.name, old_fk, part), AddForeignKey(n.schema, n.name, fk, part)]
    return out


# --- views -----------------------------------------------------------------------------------------

def _same_view(a: View, b: View) -> bool:
    """Equal views; a materialized view whose indexes differ is rebuilt (its CREATE makes them)."""
    ai, bi = {i.name: i for i in a.indexes}, {i.name: i for i in b.indexes}
    if ai.keys() != bi.keys() or any(changed(INDEX_ATTRS, ai[n], bi[n]) for n in ai):
        return False
    if sorted(a.options) != sorted(b.options):  # WITH (security_barrier...): created again with them
        return False
    return (a.materialized == b.materialized and a.query == b.query) or not changed(VIEW_ATTRS, a, b)


def _views(old: Schema, new: Schema, touched: set[str]) -> tuple[list[Change], set[Key]]:
    """View changes (changed views, and views over rebuilt tables or views, are dropped and created
    again), and the keys of the views rebuilt."""
    old_by, new_by = _by_key(old.views, _qkey), _by_key(new.views, _qkey)
    gone = {k for k in old_by if k not in new_by}
    rebuilt = {k for k, v in new_by.items() if k in old_by and (
        not _same_view(old_by[k], v) or touched & set(old_by[k].depends_on))}
    while True:  # views over dropped or rebuilt views are rebuilt too
        names = {name for _, name in gone | rebuilt}
        more = {k for k in new_by if k in old_by and k not in rebuilt and names & set(old_by[k].depends_on)}
        if not more:
            break
        rebuilt |= more
    out: list[Change] = [DropView(old_by[k]) for k in old_by if k in gone or k in rebuilt]
    out += [AddView(v) for k, v in new_by.items() if k not in old_by or k in rebuilt]
    for k, v in new_by.items():
        o = old_by.get(k)
        if o is not None and k not in rebuilt and o.comment != v.comment:
            kind = "materialized view" if v.materialized else "view"
            out.append(SetComment(kind, v.schema, v.name, o.comment, v.comment))
        if o is not None and k not in rebuilt:  # a view created or rebuilt comments its columns (AddView)
            out += [SetComment("column", v.schema, column, o.column_comments.get(column), v.column_comments.get(column),
                               parent=v.name)
                    for column in sorted(set(o.column_comments) | set(v.column_comments))
                    if o.column_comments.get(column) != v.column_comments.get(column)]
        # triggers on views (INSTEAD OF): a view created or rebuilt makes its own (AddView), else compared
        if o is None or k in rebuilt:
            continue
        dropped, added, both, renamed = _pair(o.triggers, v.triggers, _trigger_key)
        for a, b in both:
            if _trigger_key(a) != _trigger_key(b):
                dropped.append(a)
                added.append(b)
            elif a.comment != b.comment:
                out.append(SetComment("trigger", v.schema, b.name, a.comment, b.comment, parent=v.name))
        out += [DropTrigger(v.schema, v.name, tr) for tr in dropped]
        out += [AddTrigger(v.schema, v.name, tr) for tr in added]
        out += [RenameTrigger(v.schema, v.name, a.name, b.name) for a, b in renamed]
    return out, rebuilt


# --- what the model does not hold ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Skipped:
    """An unmodelled object or attribute (``Schema.unmodelled``) that differs between the two sides: the
    migration does not create, change or drop it."""

    action: str  # create | change | drop
    entry: Unmodelled
    before: str | None = None  # the old definition, for a change

    @property
    def text(self) -> str:
        what = f"{self.action} {self.entry.label}"
        if self.action == "change":
            return f"{what}: {self.before} -> {self.entry.definition}"
        return f"{what}: {self.entry.definition}" if self.entry.definition else what

    def to_dict(self) -> dict:
        return {"action": self.action, **self.entry.to_dict(), "before": self.before}


# Kinds whose name is <table>.<something>: they go when their table is dropped.
_TABLE_SCOPED = ("identity options", "constraint option", "exclusion constraint", "trigger option",
                 "column option", "rule")


def unmodelled_differences(old: Schema, new: Schema) -> list[Skipped]:
    """The unmodelled entries of ``new`` missing from ``old`` (create), of ``old`` missing from ``new`` (drop,
    unless PostgreSQL drops them with a table the diff drops) and those whose definition differs (change).
    Only between two catalogs (live databases, SQL applied to a scratch database): a design records no
    unmodelled objects, yet its DDL makes some (partitions, functions' search_path), so nothing can be said."""
    if old.unmodelled is None or new.unmodelled is None:
        return []

    def key(u: Unmodelled) -> tuple:
        return (u.kind, u.schema, u.name)
    old_by, new_by = {key(u): u for u in old.unmodelled}, {key(u): u for u in new.unmodelled}
    new_tables = {(t.schema, t.name) for t in new.tables} | {(v.schema, v.name) for v in new.views}
    out = [Skipped("create", u) for k, u in new_by.items() if k not in old_by]
    out += [Skipped("change", u, old_by[k].definition) for k, u in new_by.items()
            if k in old_by and old_by[k].definition != u.definition]
    for k, u in old_by.items():
        if k in new_by:
            continue
        owner = None
        if u.kind in _TABLE_SCOPED or u.kind in ("relation option", "index option"):
            owner = u.name.split(".")[0] if u.kind in _TABLE_SCOPED else u.name
        elif u.kind == "sequence" and " OWNED BY " in u.definition:
            owner = u.definition.split(" OWNED BY ", 1)[1].rsplit(".", 1)[0].strip('"')
        if owner is not None and u.kind != "index option" and (u.schema, owner) not in new_tables:
            continue  # dropped with its table
        out.append(Skipped("drop", u))
    return out
