"""Index signatures shared by the duplicate and redundant index rules."""

from __future__ import annotations

from dataclasses import dataclass

from schemawright.lint.schema_rules.base import q
from schemawright.model.schema import Index, Table

_RANK = {"primary key": 0, "unique": 1, "unique index": 2, "index": 3}


@dataclass(frozen=True)
class IndexEntry:
    name: str
    kind: str  # primary key | unique (constraint) | unique index | index
    method: str
    keys: tuple[tuple, ...]  # (label, descending, nulls_first, opclass) per key
    where: str | None
    include: tuple[str, ...]

    @property
    def is_constraint(self) -> bool:
        return self.kind in ("primary key", "unique")

    @property
    def rank(self) -> int:
        return _RANK[self.kind]

    @property
    def signature(self) -> tuple:
        return (self.method, self.keys, self.where, self.include)

    def drop_sql(self, ctx, table: Table) -> str:
        if self.is_constraint:
            return f"ALTER TABLE {ctx.table_sql(table)} DROP CONSTRAINT {q(self.name)};"
        return f"DROP INDEX CONCURRENTLY {ctx.sql_name(table.schema, self.name)};"


def index_entries(table: Table) -> list[IndexEntry]:
    entries = []
    if table.primary_key:
        entries.append(_constraint(table.primary_key.name, "primary key", table.primary_key.columns))
    entries += [_constraint(u.name, "unique", u.columns) for u in table.uniques]
    entries += [_index(i) for i in table.indexes]
    return entries


def _constraint(name: str, kind: str, columns) -> IndexEntry:
    return IndexEntry(name, kind, "btree", tuple((c, False, None, None) for c in columns), None, ())


def _index(index: Index) -> IndexEntry:
    keys = tuple((e.label, e.descending, e.nulls_first, e.opclass) for e in index.elements)
    return IndexEntry(index.name, "unique index" if index.unique else "index", str(index.method), keys,
                      str(index.where) if index.where is not None else None, tuple(index.include))
