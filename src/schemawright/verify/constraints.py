"""Prove every constraint on the live database: a valid row is accepted, a violating row is refused
with the expected SQLSTATE and constraint, and each foreign key's ON DELETE behaves as designed.

Every probe runs in a savepoint of one transaction that is rolled back at the end, so the database
is left as it was.
"""

from __future__ import annotations

import dataclasses
import re
import time
import uuid
from collections.abc import Callable

import psycopg
from psycopg import sql

from schemawright.dialects import type_sql
from schemawright.model import names

from schemawright.model.schema import (
    CheckConstraint, ExclusionConstraint, Expression, FkAction, ForeignKey, Index, Schema, Table,
)
from schemawright.verify.report import StepResult
from schemawright.datagen.rows import CannotBuildRow, Row, RowFactory, compact_token
from schemawright.model.types import Kind

NOT_NULL, CHECK, UNIQUE, FOREIGN_KEY, RESTRICT = "23502", "23514", "23505", "23503", "23001"
EXCLUSION = "23P01"


class ProbeFailed(Exception):
    """The database did not behave as the design says."""


def _expect_refused(factory: RowFactory, table: Table, row: Row, sqlstate: str, constraint: str | None,
                    column: str | None = None, also: tuple[str, ...] = ()) -> str:
    try:
        with factory.conn.transaction():
            factory.insert(table, row)
    except psycopg.Error as exc:
        diag = exc.diag
        if diag.sqlstate != sqlstate:
            raise ProbeFailed(f"refused with {diag.sqlstate} ({diag.message_primary}), expected {sqlstate}") from None
        if constraint is not None and diag.constraint_name != constraint and diag.constraint_name not in also \
                and not _partition_of(factory.conn, diag.constraint_name, constraint):
            raise ProbeFailed(f"refused by {diag.constraint_name}, expected {constraint}") from None
        if column is not None and diag.column_name != column:
            raise ProbeFailed(f"refused for column {diag.column_name}, expected {column}") from None
        return f"refused with {sqlstate}"
    raise ProbeFailed("the violating row was accepted")


def _partition_of(conn: psycopg.Connection, name: str | None, parent: str) -> bool:
    """On a partitioned table the partition's copy of a constraint reports the violation."""
    return conn.execute("SELECT EXISTS (SELECT FROM pg_constraint c JOIN pg_constraint p ON p.oid = c.conparentid "
                        "WHERE c.conname = %s AND p.conname = %s)", [name, parent]).fetchone()[0]


def _accept(factory: RowFactory, table: Table, row: Row) -> dict:
    try:
        with factory.conn.transaction():
            return factory.insert(table, row)
    except psycopg.Error as exc:
        raise ProbeFailed(f"a valid row was refused: {exc.diag.sqlstate} {exc.diag.message_primary}") from None


def probe_table(factory: RowFactory, table: Table) -> list[tuple[str, Callable[[], str]]]:
    """(check name, probe) pairs for every constraint of ``table``."""
    probes: list[tuple[str, Callable[[], str]]] = []

    def valid() -> str:
        try:
            _accept(factory, table, factory.valid_row(table))
        except ProbeFailed as exc:  # every other probe starts from a valid row: one finding, not one each
            raise CannotBuildRow(str(exc)) from None
        return "valid row accepted"
    probes.append((f"{table.name}: valid row accepted", valid))

    for column in table.columns:
        if not column.nullable and column.identity is None and column.generated is None:
            def not_null(column=column) -> str:
                row = factory.valid_row(table)
                row[column.name] = None
                return _expect_refused(factory, table, row, NOT_NULL, None, column.name)
            probes.append((f"{table.name}.{column.name}: NOT NULL", not_null))

    for check in table.checks:
        def check_probe(check=check) -> str:
            row = factory.valid_row(table)
            bad = factory.satisfying(table, check, row, want=False)
            if bad is None:
                return _implied_check(factory, table, check, row)
            changed = ", ".join(f"{c}={bad[c]!r}" for c in check.columns)
            return _expect_refused(factory, table, bad, CHECK, check.name) + f" ({changed})"
        probes.append((f"{table.name}: CHECK {check.name}", check_probe))

    keys = [(u.name, u.columns) for u in table.uniques]
    if table.primary_key:
        keys.insert(0, (table.primary_key.name, table.primary_key.columns))
    for name, columns in keys:
        def unique_probe(name=name, columns=columns) -> str:
            first = _accept(factory, table, factory.valid_row(table))
            row = factory.valid_row(table)
            row.update({c: first[c] for c in columns})
            row = factory.repair(table, row, fixed=columns)  # a copied key value may break a check (ends > starts)
            # (tenant_id, id) repeats the primary key (id): the narrower key refuses the copy first
            narrower = tuple(n for n, c in keys if n != name and set(c) < set(columns))
            return _expect_refused(factory, table, row, UNIQUE, name, also=narrower)
        probes.append((f"{table.name}: UNIQUE {name}", unique_probe))

    for x in table.exclusions:
        probes.append((f"{table.name}: EXCLUDE {x.name}", lambda x=x: _exclusion_probe(factory, table, x)))

    for ix in _unique_indexes(table):
        probes.append((f"{table.name}: UNIQUE INDEX {ix.name}",
                       lambda ix=ix: _unique_index_probe(factory, table, ix, keys)))

    for bal in factory.schema.facts.balanced_sums:
        if bal.table == table.name:
            probes.append((f"{table.name}: {bal.trigger} sum({bal.left}) = sum({bal.right}) per {bal.key}",
                           lambda bal=bal: _balanced_probe(factory, table, bal)))

    for cs in factory.schema.facts.child_sums:
        if cs.child == table.name:
            probes.append((f"{table.name}: {cs.triggers[0]} {cs.parent}.{cs.column} = sum({cs.summed})",
                           lambda cs=cs: _child_sum_probe(factory, table, cs)))

    for ss in factory.schema.facts.same_scope:
        if ss.table == table.name:
            probes.append((f"{table.name}: {ss.triggers[0]} {ss.column} in the {ss.via_scope} of {ss.owner}",
                           lambda ss=ss: _same_scope_probe(factory, table, ss)))

    for ev in factory.schema.facts.ordered_after_parent:
        if ev.table == table.name:
            probes.append((f"{table.name}: {ev.triggers[0]} {ev.column} {ev.op} {ev.parent}.{ev.parent_column}",
                           lambda ev=ev: _event_order_probe(factory, table, ev)))

    for fk in table.foreign_keys:
        def fk_probe(fk=fk) -> str:
            row = factory.valid_row(table)
            shared = {c for other in table.foreign_keys if other is not fk for c in other.columns}
            own = [c for c in fk.columns if c not in shared] or list(fk.columns)  # (tenant, x_id): only x_id
            for col in own:
                row[col] = _missing_value(factory, table, col)
            # a key inside a wider one (tenant_id in (tenant_id, project_id)) cannot fail alone
            wider = tuple(o.name for o in table.foreign_keys if set(fk.columns) < set(o.columns))
            return _expect_refused(factory, table, row, FOREIGN_KEY, fk.name, also=wider)
        probes.append((f"{table.name}: FOREIGN KEY {fk.name}", fk_probe))
        probes.append((f"{table.name}: {fk.name} ON DELETE {fk.on_delete}",
                       lambda fk=fk: _on_delete(factory, table, fk)))
    return probes


def _unique_indexes(table: Table) -> list[Index]:
    """The unique indexes that are not a constraint's own: a rule's partial one ("at most one active permit per
    vehicle per zone": UNIQUE (vehicle_id, zone_id) WHERE status = 'active'), one over expressions."""
    owned = {u.name for u in table.uniques} | ({table.primary_key.name} if table.primary_key else set())
    return [ix for ix in table.indexes if ix.unique and ix.name not in owned]


def _involved(table: Table, elements, where) -> tuple[str, ...]:
    """The columns of ``table`` that an index's or exclusion's expressions and predicate name."""
    texts = [str(e.expression) for e in elements if e.expression is not None] + ([str(where)] if where else [])
    return tuple(c.name for c in table.columns
                 if any(re.search(rf"(?<![\w\"]){re.escape(c.name)}(?![\w\"])|\"{re.escape(c.name)}\"", t)
                        for t in texts))


def _taking_part(factory: RowFactory, table: Table, name: str, takes_part: str, involved: tuple[str, ...],
                 verb: str) -> Row:
    """A valid row for which ``takes_part`` holds: only the columns ``involved`` are changed for it (a key's
    columns, a foreign key, keep the valid row's values)."""
    row = factory.valid_row(table)
    if factory.evaluate(table, takes_part, row):
        return row
    wanted = CheckConstraint(name=f"{name}_takes_part", expression=Expression(takes_part), columns=involved)
    row = factory.satisfying(table, wanted, row, want=True)
    if row is None:
        raise ProbeFailed(f"no valid row of {table.name} {verb} {name} ({takes_part})")
    return row


def _unique_index_probe(factory: RowFactory, table: Table, ix: Index, keys: list) -> str:
    """A row the index covers (its key set, its predicate true) is accepted; a second one with the same key
    and columns of the predicate is refused with 23505 naming the index."""
    involved = _involved(table, ix.elements, ix.where)
    columns = tuple(e.column for e in ix.elements if e.column is not None)
    takes_part = " AND ".join([f"{names.quote_ident(c)} IS NOT NULL" for c in columns]
                              + [f"({e.expression}) IS NOT NULL" for e in ix.elements if e.expression is not None]
                              + [f"COALESCE(({ix.where}), false)" if ix.where is not None else "true"])
    first = _accept(factory, table, _taking_part(factory, table, ix.name, takes_part, involved, "is covered by"))
    fixed = tuple(dict.fromkeys((*columns, *involved)))
    second = factory.valid_row(table)
    second.update({c: first[c] for c in fixed})
    second = factory.repair(table, second, fixed=fixed)
    # a constraint over fewer of the same columns refuses the copy first
    narrower = tuple(n for n, c in keys if set(c) <= set(fixed))
    same = ", ".join(f"{c}={second[c]!r}" for c in fixed)
    return _expect_refused(factory, table, second, UNIQUE, ix.name, also=narrower) + f" (a second row with {same})"


def _exclusion_probe(factory: RowFactory, table: Table, x: ExclusionConstraint) -> str:
    """A row that takes part in the constraint (every element set, the predicate true) is accepted; a
    second one equal to it in every element (the same key, the same period) is refused with 23P01."""
    involved = _involved(table, x.elements, x.where)
    keys = tuple(e.column for e in x.elements if e.column is not None)
    takes_part = " AND ".join([f"({e.expression}) IS NOT NULL" for e in x.elements if e.expression is not None]
                              + [f"COALESCE(({x.where}), false)" if x.where is not None else "true"])
    first = _accept(factory, table, _taking_part(factory, table, x.name, takes_part, involved, "takes part in"))
    second = factory.valid_row(table)
    second.update({c: first[c] for c in (*keys, *involved)})
    period = next((p for p in factory.schema.facts.non_overlapping if p.table == table.name
                   and p.start in involved and p.end in involved), None)
    if period is not None and any({period.start, period.end} & set(u.columns) for u in table.uniques):
        # a UNIQUE on (key, start) would refuse an identical period first: the second period starts earlier
        # and ends later than the first one's start, so it overlaps without repeating either bound
        kind = table.column(period.start).type
        step = "1 day" if kind.kind == Kind.DATE else "1 hour"
        cast = sql.SQL(type_sql(kind))
        second[period.start], second[period.end] = factory.conn.execute(
            sql.SQL("SELECT ({p}::{t} - {s}::interval)::{t}::text, ({p}::{t} + {s}::interval)::{t}::text").format(
                p=sql.Placeholder("p"), t=cast, s=sql.Placeholder("s")), {"p": first[period.start], "s": step}).fetchone()
    second = factory.repair(table, second, fixed=(*keys, *involved))
    same = ", ".join(f"{c}={second[c]!r}" for c in (*keys, *involved))
    return _expect_refused(factory, table, second, EXCLUSION, x.name) + \
        f" (a second row overlapping {', '.join(f'{c}={first[c]!r}' for c in involved)}: {same})"


def _check_now(conn: psycopg.Connection, triggers: tuple[str, ...]) -> None:
    """Run the deferred constraint triggers' check now instead of at a commit the probe never makes:
    ``SET CONSTRAINTS ... IMMEDIATE`` only inside a savepoint of its own, left DEFERRED (a mode set directly in
    the probe's savepoint would be restored to an earlier IMMEDIATE when the probe is rolled back)."""
    names = sql.SQL(", ").join(map(sql.Identifier, triggers))
    with conn.transaction():
        conn.execute(sql.SQL("SET CONSTRAINTS {} IMMEDIATE").format(names))
        conn.execute(sql.SQL("SET CONSTRAINTS {} DEFERRED").format(names))


def _expect_checked(conn: psycopg.Connection, triggers: tuple[str, ...], rows: str) -> None:
    """The deferred check passes ``rows`` (what was inserted so far, named in the failure)."""
    try:
        _check_now(conn, triggers)
    except psycopg.Error as exc:
        raise ProbeFailed(f"{rows} was refused: {exc.diag.sqlstate} {exc.diag.message_primary}") from None


def _expect_check_refuses(conn: psycopg.Connection, triggers: tuple[str, ...], refused: str, accepted: str) -> str:
    """The deferred check refuses the last row with 23514 by one of ``triggers``: returns ``refused`` (the
    probe's result), else fails saying ``accepted`` (what was let through) or who refused it."""
    try:
        _check_now(conn, triggers)
    except psycopg.Error as exc:
        if exc.diag.sqlstate != CHECK or exc.diag.constraint_name not in triggers:
            raise ProbeFailed(f"refused with {exc.diag.sqlstate} by {exc.diag.constraint_name}, expected {CHECK} "
                              f"by {triggers[0]}") from None
        return refused
    raise ProbeFailed(accepted)


def _balanced_probe(factory: RowFactory, table: Table, bal) -> str:
    """A balanced transaction (a row and its counter-row of one key) passes the deferred check; one more
    unbalanced row is refused with 23514 by the constraint trigger. ``SET CONSTRAINTS ... IMMEDIATE`` runs
    the check now instead of at a commit the probe never makes."""
    for big, small in (("1", "0"), ("2", "1"), ("10", "1")):
        try:
            row = factory.valid_row(table)
            row.update({bal.left: big, bal.right: small})
            row = factory.repair(table, row, fixed=(bal.key, bal.left, bal.right))
            first = _accept(factory, table, row)
            counter = factory.valid_row(table, {bal.key: first[bal.key]})
            counter.update({bal.left: small, bal.right: big})
            counter = factory.repair(table, counter, fixed=(bal.key, bal.left, bal.right))
        except CannotBuildRow:
            continue
        break
    else:
        raise CannotBuildRow(f"no pair of rows of {table.name} with sums that balance ({bal.left}, {bal.right})")
    _accept(factory, table, counter)
    _expect_checked(factory.conn, (bal.trigger,), "a balanced transaction")
    extra = factory.valid_row(table, {bal.key: first[bal.key]})
    extra.update({bal.left: big, bal.right: small})
    _accept(factory, table, factory.repair(table, extra, fixed=(bal.key, bal.left, bal.right)))
    return _expect_check_refuses(
        factory.conn, (bal.trigger,),
        f"balanced pair accepted; one more row ({bal.left}={big}, {bal.right}={small}) refused with {CHECK}",
        "an unbalanced transaction was accepted")


def _child_sum_probe(factory: RowFactory, table: Table, cs) -> str:
    """A parent and a child row whose column holds the parent's value pass the deferred check (run now with
    ``SET CONSTRAINTS ... IMMEDIATE``); one more child row makes the sum differ and is refused with 23514 by
    the child's constraint trigger."""
    parent = factory.schema.table(cs.parent)
    start = factory.valid_row(parent)
    if start.get(cs.column) is None:
        # a new parent row has no children: its column starts at 0, or NULL when a CHECK refuses 0 (a box
        # weighs 0.5 to 25 kg); then the parent gets a value its checks accept, and the child below brings
        # the sum to it within the same transaction, as an application commits a box with its items
        column = parent.column(cs.column)
        start = next((trial for value in factory.candidates(parent, column) if value is not None
                      and all(factory.holds(parent, c, trial := {**start, cs.column: value}) for c in parent.checks)),
                     start)
    first = _accept(factory, parent, start)
    if first.get(cs.column) is None:
        raise CannotBuildRow(f"no row of {parent.name} with {cs.column} set")
    row = factory.valid_row(table, {cs.child_key: first[cs.parent_key]})
    row[cs.summed] = first[cs.column]
    row = factory.repair(table, row, fixed=(cs.child_key, cs.summed))
    _accept(factory, table, row)
    _expect_checked(factory.conn, cs.triggers, "a consistent transaction")
    extra = factory.valid_row(table, {cs.child_key: first[cs.parent_key]})
    extra[cs.summed] = "1"
    _accept(factory, table, factory.repair(table, extra, fixed=(cs.child_key, cs.summed)))
    return _expect_check_refuses(
        factory.conn, cs.triggers,
        f"{cs.parent} with {cs.column}={first[cs.column]} and one row of that {cs.summed} accepted; one more "
        f"row ({cs.summed}=1) refused with {CHECK} at the check",
        "a transaction that breaks the sum was accepted")


def _same_scope_probe(factory: RowFactory, table: Table, ss) -> str:
    """A row whose two references share their scope passes the deferred check (run now with ``SET CONSTRAINTS
    ... IMMEDIATE``); a row whose first reference points into another scope is refused with 23514."""
    via, owner = factory.schema.table(ss.via), factory.schema.table(ss.owner_table)
    via_key = next(fk for fk in table.foreign_keys if fk.columns == (ss.column,)).ref_columns[0]
    owner_key = next(fk for fk in table.foreign_keys if fk.columns == (ss.owner,)).ref_columns[0]
    owner_row = _accept(factory, owner, factory.valid_row(owner))
    scope = owner_row[ss.owner_scope]
    same = _accept(factory, via, factory.valid_row(via, {ss.via_scope: scope}))
    other = _accept(factory, via, factory.valid_row(via))  # its own, new scope row
    if other[ss.via_scope] == scope:
        raise CannotBuildRow(f"no second {ss.via_scope} for {via.name}")
    try:
        _check_now(factory.conn, ss.triggers)  # the rows so far (and what other probes left pending) are consistent
    except psycopg.Error as exc:
        raise CannotBuildRow(f"pending rows break {exc.diag.constraint_name}") from None
    row = factory.valid_row(table, {ss.column: same[via_key], ss.owner: owner_row[owner_key]})
    _accept(factory, table, row)
    _expect_checked(factory.conn, ss.triggers, f"a row within one {ss.owner_scope}")
    bad = factory.valid_row(table, {ss.column: other[via_key], ss.owner: owner_row[owner_key]})
    _accept(factory, table, bad)
    return _expect_check_refuses(
        factory.conn, ss.triggers,
        f"{ss.column} of the {ss.owner}'s {ss.owner_scope} accepted; one of another {ss.via_scope} refused "
        f"with {CHECK} at the check",
        f"a row whose {ss.column} is outside the {ss.owner}'s {ss.owner_scope} was accepted")


def _event_order_probe(factory: RowFactory, table: Table, ev) -> str:
    """A row whose column is 30 days on the right side of its parent's date passes the deferred check (run now
    with ``SET CONSTRAINTS ... IMMEDIATE``); one 30 days on the wrong side is refused with 23514."""
    conn = factory.conn
    parent = factory.schema.table(ev.parent)
    first = _accept(factory, parent, factory.valid_row(parent))
    if first.get(ev.parent_column) is None:
        row = factory.valid_row(parent)
        row[ev.parent_column] = "2024-06-15" if ev.unit.startswith("interval") else "1000"
        first = _accept(factory, parent, factory.repair(parent, row, fixed=(ev.parent_column,)))
    kind = sql.SQL(type_sql(table.column(ev.column).type))
    sign = 1 if ev.op in (">", ">=") else -1

    def shifted(days: int) -> str:
        return conn.execute(sql.SQL("SELECT (%s::{t} + %s * {unit})::{t}::text").format(t=kind, unit=sql.SQL(ev.unit)),
                            [str(first[ev.parent_column]), days]).fetchone()[0]

    def placed(units: tuple[int, ...], under: Row) -> Row:
        """A valid row whose column is the first of ``units`` away from the parent's value that the table's own
        checks accept (30 units below a valuation of 14.50 is a negative amount ``insured_value >= 0`` refuses;
        one unit below is not)."""
        for k, n in enumerate(units):
            row = factory.valid_row(table, {ev.key: under[ev.parent_key]})
            row[ev.column] = shifted(n)
            try:
                return factory.repair(table, row, fixed=(ev.key, ev.column))
            except CannotBuildRow:
                if k == len(units) - 1:
                    raise
        raise AssertionError("no units")

    # a window's bound: on it (inside the window)
    good = placed((0,) if ev.spread == 1 else (30 * sign, sign, 0) if "=" in ev.op else (30 * sign, sign), first)
    _accept(factory, table, good)
    _expect_checked(conn, ev.triggers, "a row on the right side")
    # the wrong side under a parent of its own with the same date (one appeal per citation: a second child of
    # the first parent would be refused by that key, not by the rule)
    second = factory.valid_row(parent)
    second[ev.parent_column] = first[ev.parent_column]
    second = _accept(factory, parent, factory.repair(parent, second, fixed=(ev.parent_column,)))
    bad = placed((-30 * sign, -sign), second)
    _accept(factory, table, bad)
    return _expect_check_refuses(
        conn, ev.triggers,
        f"{ev.column}={good[ev.column]} with {ev.parent_column}={first[ev.parent_column]} accepted; "
        f"{bad[ev.column]} refused with {CHECK} at the check",
        f"a row whose {ev.column} breaks {ev.op} {ev.parent}.{ev.parent_column} was accepted")


def _implied_check(factory: RowFactory, table: Table, check: CheckConstraint, row: Row) -> str:
    """Probe a check that the table's other checks imply (``total >= 0`` given ``total = subtotal + tax``
    and both non-negative): no row breaks it alone, so the others are dropped in a savepoint that is
    rolled back, and the check must then refuse a violating row by itself."""
    others = [c for c in table.checks if c is not check]
    with factory.conn.transaction(force_rollback=True):
        for other in others:
            factory.conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table.schema, table.name), sql.Identifier(other.name)))
        alone = dataclasses.replace(table, checks=[check])
        bad = factory.satisfying(alone, check, row, want=False) if others else None
        if bad is None:
            raise ProbeFailed("no candidate value violates the check")
        changed = ", ".join(f"{c}={bad[c]!r}" for c in check.columns)
        return (_expect_refused(factory, table, bad, CHECK, check.name)
                + f" ({changed}; with the other checks lifted: they imply this one)")


def _missing_value(factory: RowFactory, table: Table, col: str) -> str:
    """A value of the column's type that no parent row holds (fits the type: smallint, char(3)...)."""
    column = table.column(col)
    t, serial = column.type, next(factory.serial)
    if t.kind == Kind.UUID:
        return str(uuid.uuid4())
    if t.kind == Kind.SMALLINT:
        return str(32767 - serial % 1000)
    if t.is_textual:
        width = t.length or 12
        return ("~" + compact_token(serial, width - 1))[:width] if width > 1 else "~"
    if t.kind == Kind.NUMERIC and t.precision is not None:
        return str(10 ** (t.precision - (t.scale or 0)) - 1 - serial % 10)
    return str(2_000_000_000 - serial)


def _on_delete(factory: RowFactory, table: Table, fk: ForeignKey) -> str:
    """Delete a referenced parent row and check what happened to the child."""
    parent = factory.schema.table(fk.ref_table)
    if parent is table:
        return _self_on_delete(factory, table, fk)
    parent_row = _accept(factory, parent, factory.valid_row(parent))
    row = factory.valid_row(table, {c: parent_row[r] for c, r in zip(fk.columns, fk.ref_columns)})
    child = _accept(factory, table, row)
    # a key inside a wider one (tenant_id in (tenant_id, project_id)): the wider key's parent references the
    # same row and may be the one that refuses the delete first
    blockers = tuple(h.name for g in table.foreign_keys if set(fk.columns) < set(g.columns)
                     for h in factory.schema.table(g.ref_table).foreign_keys if h.ref_table == fk.ref_table)
    where = sql.SQL(" AND ").join(sql.SQL("{} = {}").format(sql.Identifier(r), sql.Placeholder())
                                  for r in fk.ref_columns)
    delete = sql.SQL("DELETE FROM {} WHERE {}").format(sql.Identifier(parent.schema, parent.name), where)
    try:
        with factory.conn.transaction():
            factory.conn.execute(delete, [parent_row[r] for r in fk.ref_columns])
    except psycopg.Error as exc:
        state = exc.diag.sqlstate
        # PostgreSQL reports both RESTRICT and NO ACTION as foreign_key_violation (23503).
        if fk.on_delete in (FkAction.RESTRICT, FkAction.NO_ACTION) and state in (FOREIGN_KEY, RESTRICT) \
                and (exc.diag.constraint_name == fk.name or exc.diag.constraint_name in blockers):
            return f"delete of the parent refused ({state})"
        raise ProbeFailed(f"deleting the parent failed with {state}: {exc.diag.message_primary}") from None
    if fk.on_delete in (FkAction.RESTRICT, FkAction.NO_ACTION):
        raise ProbeFailed("the parent was deleted while a child referenced it")
    key = table.primary_key.columns
    found = factory.conn.execute(
        sql.SQL("SELECT {} FROM {} WHERE {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in fk.columns), sql.Identifier(table.schema, table.name),
            sql.SQL(" AND ").join(sql.SQL("{} = {}::{}").format(sql.Identifier(k), sql.Placeholder(),
                                                                 sql.SQL(type_sql(table.column(k).type))) for k in key)),
        [child[k] for k in key]).fetchone()
    if fk.on_delete == FkAction.CASCADE:
        if found is not None:
            raise ProbeFailed("the child row survived a cascading delete")
        return "child row deleted with its parent"
    if fk.on_delete == FkAction.SET_NULL:
        if found is None or any(v is not None for v in found):
            raise ProbeFailed(f"expected the child's {', '.join(fk.columns)} to become NULL, got {found}")
        return "child's reference set to NULL"
    return "parent deleted"


def _self_on_delete(factory: RowFactory, table: Table, fk: ForeignKey) -> str:
    top = _accept(factory, table, factory.valid_row(table))
    _accept(factory, table, factory.valid_row(table, {c: top[r] for c, r in zip(fk.columns, fk.ref_columns)}))
    return "self-reference accepted"


def run_probes(conn: psycopg.Connection, schema: Schema, on_step: Callable[[StepResult], None]) -> None:
    """Run every probe of every table in one transaction that is rolled back at the end.

    Each probe runs in a savepoint of its own that is rolled back after it, so a probe that fails (or
    breaks the transaction) never touches the next one. When no valid row of a table can be built,
    that is one finding: the table's other probes, which all start from a valid row, are not run."""
    factory = RowFactory(conn, schema)
    with conn.transaction(force_rollback=True):
        for table in schema.tables:
            blocked: str | None = None
            skipped = 0
            for name, probe in probe_table(factory, table):
                if blocked is not None:
                    skipped += 1
                    continue
                start = time.perf_counter()
                try:
                    with conn.transaction(force_rollback=True):
                        detail, ok = probe(), True
                except ProbeFailed as exc:
                    detail, ok = str(exc), False
                except CannotBuildRow as exc:
                    detail, ok, blocked = f"no valid row could be built: {exc}", False, str(exc)
                    name = f"{table.name}: a valid row can be built"
                except (RuntimeError, psycopg.Error) as exc:
                    detail, ok = f"probe could not run: {_error_text(exc)}", False
                step = StepResult(name=name, ok=ok, detail=detail, seconds=time.perf_counter() - start,
                                  group="constraints")
                on_step(step)
            if skipped:
                step.detail += f" ({skipped} other probe(s) of {table.name} need one and were not run)"


def _error_text(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    if diag is not None and diag.sqlstate:
        return f"{diag.sqlstate} {diag.message_primary}"
    return str(exc)


def count_probes(schema: Schema) -> int:
    total = 0
    for t in schema.tables:
        total += 1 + sum(1 for c in t.columns if not c.nullable and c.identity is None and c.generated is None)
        total += len(t.checks) + len(t.uniques) + (1 if t.primary_key else 0) + 2 * len(t.foreign_keys)
        total += len(t.exclusions) + len(_unique_indexes(t)) + sum(1 for b in schema.facts.balanced_sums if b.table == t.name) \
            + sum(1 for c in schema.facts.child_sums if c.child == t.name) \
            + sum(1 for c in schema.facts.same_scope if c.table == t.name) \
            + sum(1 for c in schema.facts.ordered_after_parent if c.table == t.name)
    return total
