"""The dialect contract: how a canonical schema becomes DDL text for one database.

A dialect is a subclass with a ``name``, a type map and ``<object>_sql`` methods; it registers itself
by defining ``name`` (``Dialect.__init_subclass__``). Adding a dialect is one new module in this
package plus its name in ``DIALECTS`` (dialects/__init__.py).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

from schemawright.model.schema import ForeignKey, Schema, Table

REGISTRY: dict[str, type[Dialect]] = {}


@dataclass(slots=True, frozen=True)
class Statement:
    """One DDL statement and the object it creates (``table``: the table it belongs to, if any)."""

    kind: str  # extension | type | function | table | foreign_key | index | view | trigger | comment
    name: str
    sql: str
    table: str | None = None


class Dialect:
    name: str = ""

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name:
            REGISTRY[cls.name] = cls

    # --- what every dialect provides -------------------------------------------------------------
    def create_statements(self, schema: Schema) -> list[Statement]:
        """Forward DDL in dependency order."""
        raise NotImplementedError

    def drop_statements(self, schema: Schema) -> list[str]:
        """Undo DDL that removes everything ``create_statements`` made, in reverse dependency order."""
        raise NotImplementedError


def table_order(schema: Schema) -> tuple[list[Table], list[tuple[Table, ForeignKey]]]:
    """Tables in an order where each comes after the tables it references, and the foreign keys that
    must be added afterwards (ALTER TABLE) because they close a reference cycle."""
    tables = {t.name: t for t in schema.tables}
    deferred: list[tuple[Table, ForeignKey]] = []
    deps = {t.name: {fk.ref_table for fk in t.foreign_keys if fk.ref_table != t.name and fk.ref_table in tables}
            for t in schema.tables}
    while True:
        try:
            order = list(TopologicalSorter(deps).static_order())
            break
        except CycleError as exc:
            cycle = exc.args[1]
            # Break the cycle at the first table in input order: its FK into the cycle is added later.
            position = {t.name: i for i, t in enumerate(schema.tables)}
            members = set(cycle)
            child = min(members, key=position.__getitem__)
            fk = next(fk for fk in tables[child].foreign_keys if fk.ref_table in members and fk.ref_table != child
                      and fk.ref_table in deps[child])
            deps[child].discard(fk.ref_table)
            deferred += [(tables[child], f) for f in tables[child].foreign_keys if f.ref_table == fk.ref_table]
    # Stable: each step takes the table earliest in input order among those whose dependencies are
    # satisfied (a heap keeps this linear-logarithmic in the number of tables).
    position = {name: i for i, name in enumerate(t.name for t in schema.tables)}
    waiting = {name: len(deps[name]) for name in order}
    dependents: dict[str, list[str]] = {name: [] for name in order}
    for name in order:
        for dep in deps[name]:
            dependents[dep].append(name)
    ready = [(position[name], name) for name in order if not waiting[name]]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        result.append(name)
        for child in dependents[name]:
            waiting[child] -= 1
            if not waiting[child]:
                heapq.heappush(ready, (position[child], child))
    return [tables[n] for n in result], deferred
