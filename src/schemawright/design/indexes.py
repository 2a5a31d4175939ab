"""Index design: declared requirements (equality columns first, then range), GIN for queried jsonb,
a BRIN index on the time column of a large append-only table, an index leading with every foreign key,
and no duplicate or prefix-redundant index. Every index carries its reason (its origin and an inference);
none is made out of habit (no bare ``created_at`` index: the query patterns, the acceptance criteria and
the input's own indexes ask for time orderings)."""

from __future__ import annotations

import re

from schemawright.design.context import DesignContext, column_name_for, table_name_for
from schemawright.design.conventions import is_append_only
from schemawright.design.explicit import parse_expression
from schemawright.model import names
from schemawright.model.schema import Index, IndexElement, IndexMethod, Source, Table, given, inferred
from schemawright.model.types import Kind
from schemawright.spec.expressions import ExpressionError, parse_check
from schemawright.spec.load import format_path
from schemawright.spec.models import IndexKey


def apply(ctx: DesignContext) -> None:
    _declared(ctx)
    _queried_documents(ctx)
    if ctx.enabled("index_workload", "a BRIN index on the time column of a large append-only table"):
        _append_only_time(ctx)
    if ctx.enabled("index_foreign_keys", "an index leading with every foreign key"):
        _foreign_keys(ctx)
    if ctx.enabled("prune_indexes", "dropping duplicate and prefix-redundant indexes"):
        for table in ctx.schema.tables:
            _drop_redundant(ctx, table)


def _declared(ctx: DesignContext) -> None:
    for i, req in enumerate(ctx.spec.data_model.indexes):
        path = ("data_model", "indexes", i)
        table = ctx.table(table_name_for(req.entity)) or ctx.table(req.entity)
        if table is None:
            ctx.problem(path + ("entity",), f"index on unknown entity {req.entity!r}")
            continue
        if sum(map(bool, (req.columns, req.equality or req.range, req.keys))) > 1:
            ctx.problem(path, "give either columns, or equality/range columns, or keys, not several")
            continue
        keys = list(req.columns) or list(req.equality) + list(req.range) or [k.column for k in req.keys if k.column]
        if not keys and not req.keys:
            ctx.problem(path + ("columns",), "an index needs at least one column")
            continue
        unknown = [c for c in keys + list(req.include) if not table.has_column(c)]
        if unknown:
            ctx.problem(path + ("columns",), f"unknown column(s) {', '.join(unknown)} in {table.name}",
                        expected=", ".join(c.name for c in table.columns))
            continue
        columns = {c.name for c in table.columns}
        try:
            where = _condition(ctx, req.where, columns) if req.where else None
        except ExpressionError as exc:
            ctx.problem(path + ("where",), f"invalid index predicate: {exc}", got=repr(req.where))
            continue
        try:
            elements = tuple(_element(ctx, k, columns) for k in req.keys) or tuple(IndexElement(column=c) for c in keys)
        except ExpressionError as exc:
            ctx.problem(path + ("keys",), f"invalid index key: {exc}")
            continue
        if (bad := _method_mismatch(req.type, [table.column(c) for c in keys if not req.keys],
                                    [k.opclass for k in req.keys])) is not None:
            ctx.problem(path + ("type",), f"a {req.type} index cannot hold {bad}", got=req.type,
                        expected=METHOD_HINT.get(req.type, "btree"), hint="use btree, or an opclass in 'keys'")
            continue
        name = req.name or names.idx_name(table.name, keys or ["expr"])
        if any(ix.name == name for ix in table.indexes):
            ctx.problem(path + ("name",), f"duplicate index name {name}")
            continue
        table.indexes.append(Index(name=name, elements=elements, unique=req.unique, method=IndexMethod(req.type),
                                   where=where, include=tuple(req.include), comment=req.reason,
                                   nulls_not_distinct=req.nulls_not_distinct, origin=given(format_path(path))))
        if req.equality or req.range:
            ctx.infer("index.column_order", f"{table.name}.{name}", f"keys ({', '.join(keys)})",
                      "seed 004: equality columns first, then range/sort columns, so one index serves both")


# Column types each index method has a default operator class for (PostgreSQL 12-17, no extensions).
_GIN = {"jsonb", "tsvector"}
_GIST = {"tsvector", "tsquery", "daterange", "tstzrange", "tsrange", "int4range", "int8range", "numrange", "point",
         "box", "polygon", "circle"}
_SPGIST = {"text", "varchar", "inet", "cidr", "point", "box", "polygon", "daterange", "tstzrange", "tsrange", "int4range",
           "int8range", "numrange"}
_NO_HASH = {"jsonb_path", "tsvector", "tsquery", "point", "box", "polygon", "circle", "xml", "json"}
METHOD_HINT = {"gin": "jsonb, tsvector or array columns", "gist": "range, geometric or tsvector columns",
               "spgist": "text, inet, range or point columns", "brin": "ordered scalar columns",
               "hash": "scalar columns"}


def _method_mismatch(method: str, columns, opclasses) -> str | None:
    """(Without extensions, which add operator classes: btree_gin, btree_gist, pg_trgm...) The first column (as 'name type') the index method has no default operator class for, or None."""
    if method in ("btree", "gin", "gist") or any(opclasses):
        return None  # gin/gist on scalars is what btree_gin/btree_gist (often created outside the input) add
    for col in columns:
        if col is None or col.type.kind.value in ("other", "enum"):
            continue  # a type the designer does not know the operator classes of: the server judges
        kind = col.type.kind.value
        ok = {"gin": lambda: bool(col.type.array_dims) or kind in _GIN,
              "gist": lambda: not col.type.array_dims and kind in _GIST,
              "spgist": lambda: not col.type.array_dims and kind in _SPGIST,
              "hash": lambda: not col.type.array_dims and kind not in _NO_HASH,
              "brin": lambda: not col.type.array_dims and kind not in ("jsonb", "json", "xml", "tsvector")}
        if method in ok and not ok[method]():
            return f"{col.name} {col.type}"
    return None


def _condition(ctx: DesignContext, text: str, columns: set[str]):
    if ctx.spec.conventions.strict_expressions:
        return parse_check(text, columns)[0]
    return parse_expression(text, columns)[0]


def _element(ctx: DesignContext, key: IndexKey, columns: set[str]) -> IndexElement:
    """One spelled-out key; an expression key needs conventions.strict_expressions: false."""
    expression = None
    if key.expression is not None:
        if ctx.spec.conventions.strict_expressions:
            raise ExpressionError("expression keys need conventions.strict_expressions: false")
        expression = parse_expression(key.expression, columns)[0]
    descending = key.order == "desc"
    return IndexElement(column=key.column, expression=expression, descending=descending, opclass=key.opclass,
                        nulls_first=None if key.nulls is None else key.nulls == "first", collation=key.collation)


def _queried_documents(ctx: DesignContext) -> None:
    for i, entity in enumerate(ctx.spec.data_model.entities):
        table = ctx.table(table_name_for(entity.name))
        for attr in entity.attributes:
            column = table.column(column_name_for(attr.name)) if table else None
            if not attr.indexed or column is None:
                continue
            if column.type.kind in (Kind.JSONB,) or column.type.array_dims:
                name = names.idx_name(table.name, [column.name, "gin"])
                table.indexes.append(Index(name=name, elements=(IndexElement(column=column.name),),
                                           comment=f"{column.name} is queried (indexed: true): @>, ? and && lookups",
                                           method=IndexMethod.GIN, origin=inferred(
                                               "index.gin", "containment queries on jsonb/array")))
                ctx.infer("index.gin", f"{table.name}.{column.name}", "GIN index",
                          "a queried jsonb or array column: GIN serves @>, ? and && lookups")
            elif table.index_leading((column.name,)) is None:
                table.indexes.append(Index(name=names.idx_name(table.name, [column.name]),
                                           elements=(IndexElement(column=column.name),),
                                           comment=f"{table.name} looked up by {column.name} (indexed: true)",
                                           origin=given(f"indexed: {column.name}")))


BRIN_MIN_ROWS = 1_000_000  # below this a btree (or a scan) is as good and a BRIN range summary saves nothing
_VOLUME_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(k|m|b|thousand|million|billion)?\b", re.I)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}


def stated_volume(ctx: DesignContext) -> int:
    """The largest row count performance_targets.data_volume states ("1M", "20M rows per year"), or 0."""
    perf = ctx.spec.performance_targets
    volume = perf.data_volume if perf is not None else None
    best = 0.0
    for text in ((volume.initial, volume.growth_rate) if volume is not None else ()):
        for number, unit in _VOLUME_RE.findall(text or ""):
            if unit or "row" in (text or "").lower():
                best = max(best, float(number.replace(",", ".")) * _SCALE.get(unit.lower(), 1))
    return int(best)
_TIME_KINDS = (Kind.TIMESTAMPTZ, Kind.TIMESTAMP, Kind.DATE)


def business_time_column(table: Table) -> str | None:
    """The time a row is about: a timestamp or date the input declares (taken_at, occurred_at), the
    required ones first; None when there is only the audit ``created_at``, which no one asked to read by."""
    declared = [c for c in table.columns if c.type.kind in _TIME_KINDS and not c.type.array_dims
                and c.origin.source != Source.CONVENTION and c.name not in ("created_at", "updated_at", "deleted_at")]
    pick = [c for c in declared if not c.nullable] or declared
    return pick[0].name if pick else None


def _append_only_time(ctx: DesignContext) -> None:
    """A large append-only table (readings, events, log rows no one updates) is written in time order, so
    its physical order follows its time column: a BRIN index (a few pages per million rows, almost no write
    cost) serves its time-range reads, where a btree would grow with every row."""
    stated = stated_volume(ctx)
    for table in ctx.schema.tables:
        rows = max(table.estimated_rows or 0, stated)
        if not is_append_only(table) or rows < BRIN_MIN_ROWS or table.partition_of:
            continue
        time = business_time_column(table)
        if time is None or any(ix.columns[:1] == (time,) for ix in table.indexes):
            continue
        name = names.idx_name(table.name, [time, "brin"])
        if any(ix.name == name for ix in table.indexes):
            continue
        volume = f"about {table.estimated_rows:,} rows" if (table.estimated_rows or 0) >= BRIN_MIN_ROWS else \
            f"the input states a data volume of {stated:,} rows"
        reason = (f"append-only, {volume}: rows arrive in {time} order, so a BRIN "
                  f"index serves time-range reads at a fraction of a btree's size and write cost")
        table.indexes.append(Index(name=name, elements=(IndexElement(column=time),), method=IndexMethod.BRIN,
                                   comment=f"Time-range reads of an append-only table ({time})",
                                   origin=inferred("index.append_only_brin", reason)))
        ctx.infer("index.append_only_brin", f"{table.name}.{name}", f"BRIN index on {time}", reason)


def _foreign_keys(ctx: DesignContext) -> None:
    for table in ctx.schema.tables:
        for fk in table.foreign_keys:
            if table.index_leading(fk.columns) is not None:
                continue
            name = names.idx_name(table.name, fk.columns)
            table.indexes.append(Index(name=name, elements=tuple(IndexElement(column=c) for c in fk.columns),
                                       comment=f"Foreign key to {fk.ref_table}: joins, and its ON DELETE checks",
                                       origin=inferred("index.foreign_key", "cover the foreign key")))
            ctx.infer("index.foreign_key", f"{table.name}.{', '.join(fk.columns)}", f"index {name}",
                      f"joins from {fk.ref_table} and ON DELETE checks on {fk.ref_table} would otherwise scan "
                      f"all of {table.name}")


def _drop_redundant(ctx: DesignContext, table: Table) -> None:
    """Drop plain btree indexes that duplicate, or are a leading prefix of, another index or key."""
    keep: list[Index] = []
    for ix in table.indexes:
        if ix.unique or ix.method != IndexMethod.BTREE or ix.where is not None or ix.include:
            keep.append(ix)
            continue
        cover = _covering(table, ix)
        if cover is None:
            keep.append(ix)
            continue
        ctx.infer("index.redundant", f"{table.name}.{ix.name}", f"not created: {cover} already serves it",
                  "an index whose keys lead another index adds write cost and no read benefit")
    table.indexes = keep


def _covering(table: Table, ix: Index) -> str | None:
    cols = ix.columns
    if any(e.descending or e.expression is not None or e.opclass for e in ix.elements):
        return None
    others: list[tuple[str, tuple[str, ...]]] = []
    if table.primary_key:
        others.append((table.primary_key.name, table.primary_key.columns))
    others += [(u.name, u.columns) for u in table.uniques]
    others += [(o.name, o.columns) for o in table.indexes if o is not ix and o.method == IndexMethod.BTREE
               and o.where is None and not any(e.expression is not None for e in o.elements)]
    position = table.indexes.index(ix)
    for name, ocols in others:
        if ocols[:len(cols)] != cols:
            continue
        twin = next((o for o in table.indexes if o.name == name), None)
        # Of two identical plain indexes keep the first; a longer or constraint index always wins.
        if len(ocols) == len(cols) and twin is not None and table.indexes.index(twin) > position:
            continue
        return name
    return None
