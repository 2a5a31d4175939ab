"""The dialect contract: how a canonical schema, and the changes between two schemas, become SQL text for
one database. A dialect owns all of its SQL: nothing outside this package writes DDL.

A dialect is a subclass with a ``name``, a type map (``type_names``: model kind -> the database's type
name) and one method per object or change kind returning SQL; what it cannot express it refuses with
``unsupported(...)`` (a clear error naming the dialect and the construct, never wrong SQL). It registers
itself by defining ``name`` (``Dialect.__init_subclass__``). Adding a dialect is one new module in this
package plus its name in ``DIALECTS`` (dialects/__init__.py).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

from typing import TYPE_CHECKING

from schemawright.errors import SchemawrightError
from schemawright.model.schema import ForeignKey, Schema, Table
from schemawright.model.types import DataType, Kind

if TYPE_CHECKING:
    from schemawright.model.changes import Change

REGISTRY: dict[str, type[Dialect]] = {}


@dataclass(slots=True, frozen=True)
class Statement:
    """One DDL statement and the object it creates (``table``: the table it belongs to, if any)."""

    kind: str  # extension | type | function | table | foreign_key | index | view | trigger | comment
    name: str
    sql: str
    table: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One SQL statement of a migration."""

    sql: str
    transactional: bool = True  # False: must run outside a transaction block (CONCURRENTLY, ADD VALUE)
    data_loss: str | None = None  # what running it destroys
    warning: str | None = None  # what to review before applying it (a placeholder value, a rewrite, a check)
    needs_empty: tuple[str, str] | None = None  # (schema, table) that must hold no rows for the step to apply
    data_check: tuple[str, str, str, bool] | None = None  # (what, counting query, fix, fails): rows the step would
    # refuse (fails=True: the step errors on them) or change (False: a conversion that loses information)
    change: int | None = None  # the index of the change it renders (in the list given to change_steps)
    tightens: tuple[str, ...] | None = None  # what the rows must satisfy for it to apply, for a cleanup step
    # before it: ("not_null", schema, table, column), ("check", schema, table, constraint),
    # ("unique", schema, table, constraint), ("values", schema, table, column)


@dataclass(frozen=True, slots=True)
class Degradation:
    """Something of the PostgreSQL design another database cannot express as designed: what it became
    (``replacement``, None when it is left to the application) and why. Reported, never dropped silently."""

    kind: str  # type | default | check | index | trigger | function | view | rls | policy | role | ...
    name: str
    why: str
    replacement: str | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "why": self.why, "replacement": self.replacement}


class UnsupportedError(SchemawrightError):
    """A construct of the model or a change that the chosen dialect cannot express."""

    exit_code = 2


class Dialect:
    name: str = ""
    type_names: dict[Kind, str] = {}  # model kind -> the database's type name (parameters added by type_sql)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name:
            REGISTRY[cls.name] = cls

    # --- what every dialect provides -------------------------------------------------------------
    def type_sql(self, t: DataType) -> str:
        """A model type in this dialect, from ``type_names`` (length or precision and scale added)."""
        if t.kind not in self.type_names or t.array_dims:
            raise self.unsupported(f"the type {t.name or t.kind.value}{'[]' * t.array_dims}")
        base = self.type_names[t.kind]
        if t.length is not None:
            base += f"({t.length})"
        elif t.precision is not None:
            base += f"({t.precision}" + (f", {t.scale})" if t.scale is not None else ")")
        return base

    def create_statements(self, schema: Schema) -> list[Statement]:
        """Forward DDL in dependency order."""
        raise NotImplementedError

    def drop_statements(self, schema: Schema) -> list[str]:
        """Undo DDL that removes everything ``create_statements`` made, in reverse dependency order."""
        raise NotImplementedError

    # --- migrations between two designs (diff computes the changes, the dialect renders them) ----------
    def change_steps(self, changes: list[Change], *, online: bool, renames_first: bool,
                     row_counts: dict[tuple[str, str], int]) -> list[Step]:
        """The SQL steps of ``changes`` in an order where dependencies hold. ``online``: safe on a live
        database (no long locks); ``renames_first``: the forward direction (the undo renames back late)."""
        raise self.unsupported("migrations between two designs")

    def is_role_switch(self, step: Step) -> bool:
        """Whether the step switches the session's role (the steps after it run under it)."""
        return False

    def under_roles(self, steps: list[Step], chosen) -> list[Step]:
        """The ``chosen`` steps (indices into ``steps``) with the role switches they run under in ``steps``."""
        chosen = set(chosen)
        return [s for i, s in enumerate(steps) if i in chosen]

    def cleanup_steps(self, rule, tightens: tuple) -> list[Step]:
        """The steps that make the rows satisfy a tightening (``Step.tightens``) the way ``rule`` (a
        ``model.cleanup.CleanupRule``) asks, to run just before it."""
        raise self.unsupported("cleanup steps")

    def session_settings(self, lock_timeout: str, statement_timeout: str) -> list[str]:
        """Statements that start a migration script (timeouts)."""
        raise self.unsupported("migration session settings")

    def migration_script(self, steps: list[Step], settings: list[str], title: str) -> str:
        """Steps as one SQL script for the database's command-line client."""
        raise self.unsupported("migration scripts")

    def adapt(self, schema: Schema) -> tuple[Schema, list[Degradation]]:
        """The design as this database can hold it, and what had to change (nothing for PostgreSQL)."""
        return schema, []

    def unsupported(self, what: str) -> UnsupportedError:
        """The error for a construct this dialect cannot express (raise it)."""
        return UnsupportedError(f"the {self.name or type(self).__name__} dialect cannot express {what}")


def table_order(schema: Schema) -> tuple[list[Table], list[tuple[Table, ForeignKey]]]:
    """Tables in an order where each comes after the tables it references, and the foreign keys that
    must be added afterwards (ALTER TABLE) because they close a reference cycle."""
    tables = {t.name: t for t in schema.tables}
    deferred: list[tuple[Table, ForeignKey]] = []
    deps = {t.name: {fk.ref_table for fk in t.foreign_keys if fk.ref_table != t.name and fk.ref_table in tables}
            | ({t.partition_of} if t.partition_of in tables else set()) | {p for p in t.inherits if p in tables}
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


def checks_in_order(table) -> list:
    """A table's CHECKs as MySQL and SQLite should declare them: those over fewer columns first. Both report the
    first CHECK a row fails in declaration order, so a negative tip is refused as ``tip >= 0``, not as the
    ``total = subtotal + delivery_fee + tip`` it also breaks (PostgreSQL checks in name order)."""
    return sorted(table.checks, key=lambda c: len(c.columns))
