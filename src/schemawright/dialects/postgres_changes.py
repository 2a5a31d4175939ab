"""PostgreSQL renders diff changes: changes -> SQL steps, forward and undo, safe by default on a live database.

diff computes the changes (model/changes.py); this module, reached through ``Postgres.change_steps``, is
the only place their SQL is written.

Each change renders to steps placed in *phases* (the constants below and in security.py) so that
dependencies hold: table and column renames; schemas, extensions, roles, owners and schema privileges
(as the connecting user), then SET ROLE to the schema's owner when the model manages one; enums and
functions; drops of dependents (policies, views, triggers, keys, indexes); tables and columns; keys,
indexes and foreign keys; views, triggers, policies, comments, grants; RESET ROLE; and the drops of
functions, types, extensions, schemas and roles. The undo runs the reversed changes with the renames
back placed after keys and indexes and before views (whose old text needs the old names).

On an existing table (``online=True``):

- indexes are built and dropped CONCURRENTLY (such steps are ``transactional=False``: they must run
  outside a transaction block), primary and unique keys are attached to a concurrently built index;
- checks and foreign keys are added NOT VALID, then validated;
- SET NOT NULL is preceded by a validated ``CHECK (col IS NOT NULL)``, so it needs no table scan;
- the migration starts with ``SET lock_timeout`` / ``SET statement_timeout``.

Steps that destroy data carry a ``data_loss`` note; ``plan`` refuses them unless ``allow_destructive``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from graphlib import TopologicalSorter

from schemawright.dialects.base import Step
from schemawright.model.facts import KEY_SETTING
from schemawright.dialects.postgres import (
    Postgres, composite_type_sql, deferral, domain_check_sql, owned_by_sql, qualified, sequence_options, trigger_arguments,
    trigger_events, trigger_when, type_sql, typed_column,
)
from schemawright.dialects.postgres_cleanup import misfit_sql
from schemawright.dialects.postgres_security_changes import SecuritySteps
from schemawright.model import changes as ch
from schemawright.model.compare import attribute_type
from schemawright.model.keys import argument_types, same_expression, trigger_function
from schemawright.model.names import constraint_name, dollar_quote, shorten
from schemawright.model.names import quote_ident as q
from schemawright.model.names import quote_literal
from schemawright.dialects.partitions import bound_predicate, partition_grants_revoked, partition_statements
from schemawright.model.schema import Column, ExclusionConstraint, Expression, Function, Table, Trigger, View
from schemawright.model.types import DataType, Kind

# Phases (steps run in phase order; within a phase, in the order the changes were given).
KEY_CHECK = 0  # the session has the encryption key, when columns are encrypted or decrypted
RENAME_FIRST, RENAME_LAST = 5, 65  # the undo renames back just before it recreates old views
SCHEMA, EXTENSION, ENUM, DOMAIN, FUNCTION, DOMAIN_AFTER_FUNCTIONS = 6, 7, 12, 13, 15, 16  # security.py: roles 8, owners 9, privileges 10, SET ROLE 11
DROP_VIEW, DROP_TRIGGER, DROP_FK, DROP_CONSTRAINT, DROP_INDEX, DROP_AGGREGATE, DROP_REBUILT_FUNCTION = (
    20, 21, 22, 23, 24, 25, 26)
REBUILT_FUNCTION, RENAME_OBJECT, RECREATE_ENUM = 27, 30, 35
DROP_TABLE, SEQUENCE, CREATE_TABLE, DROP_COLUMN, ADD_COLUMN, ALTER_COLUMN, LATE_FUNCTION = 37, 39, 40, 41, 42, 43, 45
AGGREGATE = 46
PARTITIONS = 47  # a designed partitioned table's first partitions, by fn_create_monthly_partitions (FUNCTION or LATE_FUNCTION)
ADD_CONSTRAINT, ADD_INDEX, ADD_FK, VALIDATE, CREATE_VIEW, CREATE_TRIGGER, COMMENT = 60, 61, 62, 63, 70, 71, 80
DROP_FUNCTION, DROP_ENUM, DROP_EXTENSION, DROP_SCHEMA = 90, 91, 92, 93

_INTEGER_KINDS = {Kind.SMALLINT: "smallint", Kind.INTEGER: "integer", Kind.BIGINT: "bigint"}
_TEXTUAL = {Kind.TEXT, Kind.VARCHAR, Kind.CHAR, Kind.CITEXT}
# the value existing rows get in a new NOT NULL column without a default (constants and stable functions:
# no table rewrite); the migration header says which one it used
_FILL = {Kind.TEXT: "''", Kind.VARCHAR: "''", Kind.CHAR: "''", Kind.CITEXT: "''", Kind.SMALLINT: "0",
         Kind.INTEGER: "0", Kind.BIGINT: "0", Kind.NUMERIC: "0", Kind.REAL: "0", Kind.DOUBLE: "0", Kind.MONEY: "0",
         Kind.BOOLEAN: "false", Kind.DATE: "CURRENT_DATE", Kind.TIMESTAMP: "LOCALTIMESTAMP", Kind.TIMESTAMPTZ: "now()",
         Kind.TIME: "'00:00'", Kind.TIMETZ: "'00:00+00'", Kind.INTERVAL: "'0'", Kind.JSON: "'{}'", Kind.JSONB: "'{}'",
         Kind.BYTEA: "''::bytea"}
_NEXTVAL_RE = re.compile(r"nextval\('((?:[^']|'')+)'(?:::regclass)?\)", re.IGNORECASE)
_IDENT_PART_RE = re.compile(r'"((?:[^"]|"")*)"|([^."]+)')
_ROLE_SWITCH_RE = re.compile(r"^\s*(SET\s+ROLE\s|RESET\s+ROLE\s*;)", re.IGNORECASE)


# --- rendering -------------------------------------------------------------------------------------

@cache
def _pg() -> Postgres:
    return Postgres()


def _cols(columns) -> str:
    return ", ".join(q(c) for c in columns)


def _typed(schema: str, column: Column) -> Column:
    """The column with an enum of a non-public schema named with its schema."""
    return typed_column(schema, column)


def _type_sql(schema: str, t: DataType) -> str:
    return type_sql(_typed(schema, Column(name="_", type=t)).type)


def _sequence(default: Expression | None) -> str | None:
    """The (quoted) sequence a ``nextval('seq'::regclass)`` default draws from."""
    m = _NEXTVAL_RE.search(default.sql) if default is not None else None
    if not m:
        return None
    parts = [p.group(1).replace('""', '"') if p.group(1) is not None else p.group(2).lower()
             for p in _IDENT_PART_RE.finditer(m.group(1).replace("''", "'"))]
    return ".".join(q(p) for p in parts)


def _function_ref(f: Function) -> str:
    return f"{qualified(f.schema, f.name)}({argument_types(f.arguments)})"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_$]*", text.lower()))


class _Renderer(SecuritySteps):
    """Renders changes into (phase, rank, step) and sorts them."""

    pg = staticmethod(_pg)
    qualified = staticmethod(qualified)

    def __init__(self, online: bool, renames_first: bool, row_counts: dict[tuple[str, str], int]):
        self.online = online
        self.rename_phase = RENAME_FIRST if renames_first else RENAME_LAST
        self.row_counts = row_counts
        self.out: list[tuple[int, int, Step]] = []
        self.drop_rank: dict[tuple[str, str], int] = {}
        self.create_rank: dict[tuple[str, str], int] = {}
        self.new_tables: set[str] = set()
        self.new_functions: set[str] = set()
        self.late_tables: dict[tuple[str, str], str] = {}  # undo: names after the renames back
        self.late_columns: dict[tuple[str, str, str], str] = {}
        self.key_checked = False  # the encryption key check is rendered once
        self.current: int | None = None  # the index of the change being rendered

    def steps(self, changes: list[ch.Change]) -> list[Step]:
        enum_views = [v for c in changes if isinstance(c, ch.AlterEnum) for v in c.views]
        self.drop_rank = _view_ranks([c.view for c in changes if isinstance(c, ch.DropView)] + enum_views)
        self.create_rank = _view_ranks([c.view for c in changes if isinstance(c, ch.AddView)] + enum_views)
        self.new_tables = {c.table.name.lower() for c in changes if isinstance(c, ch.AddTable)}
        self.new_table_keys = {(c.table.schema, c.table.name) for c in changes if isinstance(c, ch.AddTable)}
        self.fk_columns = {(c.schema, c.table, col) for c in changes if isinstance(c, ch.AddForeignKey)
                           for col in c.foreign_key.columns}
        self.unique_columns = {(c.schema, c.table, col) for c in changes if isinstance(c, ch.AddConstraint)
                               and not hasattr(c.constraint, "expression") for col in c.constraint.columns}
        self.column_checks: dict[tuple[str, str, str], list[str]] = {}
        for c in changes:
            if isinstance(c, ch.AddConstraint) and hasattr(c.constraint, "expression"):
                for col in getattr(c.constraint, "columns", ()) or ():
                    self.column_checks.setdefault((c.schema, c.table, col), []).append(c.constraint.expression.sql)
        self.enum_values = {(c.enum.schema, c.enum.name): c.enum.values for c in changes if isinstance(c, ch.AddEnum)}
        self.new_functions = {c.function.name.lower() for c in changes if isinstance(c, ch.AddFunction)}
        if self.rename_phase == RENAME_LAST:
            self.late_tables = {(c.schema, c.old): c.new for c in changes if isinstance(c, ch.RenameTable)}
            self.late_columns = {(c.schema, c.table, c.old): c.new for c in changes if isinstance(c, ch.RenameColumn)}
        for index, change in enumerate(changes):
            self.current = index
            render: Callable = getattr(self, "_" + _snake(type(change).__name__))
            render(change)
        return [step for _, _, step in sorted(self.out, key=lambda item: (item[0], item[1]))]

    def add(self, phase: int, sql: str, *, transactional: bool = True, data_loss: str | None = None,
            rank: int = 0, warning: str | None = None, needs_empty: tuple[str, str] | None = None,
            data_check: tuple[str, str, str, bool] | None = None, tightens: tuple[str, ...] | None = None) -> None:
        self.out.append((phase, rank, Step(sql, transactional, data_loss, warning, needs_empty, data_check,
                                           self.current, tightens)))

    def loss(self, change: ch.Change) -> str | None:
        note = change.data_loss
        if note and change.loss_table in self.row_counts:
            note += f" ({self.row_counts[change.loss_table]:,} rows)"
        return note

    def comment(self, kind: str, target: str, text: str | None) -> None:
        value = "NULL" if text is None else quote_literal(text)
        self.add(COMMENT, f"COMMENT ON {kind.upper()} {target} IS {value};")

    def late_name(self, schema: str, table: str) -> str:
        """A table's name in steps after the rename phase (comments, triggers, policies, grants)."""
        return self.late_tables.get((schema, table), table)

    def late(self, schema: str, table: str, column: str | None = None) -> str:
        """``late_name``, qualified (and with the column, as named then)."""
        name = qualified(schema, self.late_name(schema, table))
        return name if column is None else f"{name}.{q(self.late_columns.get((schema, table, column), column))}"

    def alter(self, schema: str, table: str, action: str, phase: int, **kw) -> None:
        self.add(phase, f"ALTER TABLE {qualified(schema, table)} {action};", **kw)

    def online_on(self, partitioned: bool) -> bool:
        return self.online and not partitioned  # no CONCURRENTLY (nor, before 18, NOT VALID FK) on partitioned tables

    # --- schemas, extensions, enums -----------------------------------------------------------------
    def _create_schema(self, c: ch.CreateSchema) -> None:
        self.add(SCHEMA, f"CREATE SCHEMA {q(c.name)};")

    def _drop_schema(self, c: ch.DropSchema) -> None:
        self.add(DROP_SCHEMA, f"DROP SCHEMA {q(c.name)};")

    def _add_extension(self, c: ch.AddExtension) -> None:
        self.add(EXTENSION, f"CREATE EXTENSION IF NOT EXISTS {q(c.name)};")

    def _drop_extension(self, c: ch.DropExtension) -> None:
        self.add(DROP_EXTENSION, f"DROP EXTENSION IF EXISTS {q(c.name)};")

    def _add_enum(self, c: ch.AddEnum) -> None:
        self.add(ENUM, _pg().enum_sql(c.enum))
        if c.enum.comment:
            self.comment("type", qualified(c.enum.schema, c.enum.name), c.enum.comment)

    def _set_cluster(self, c: ch.SetCluster) -> None:
        action = f"CLUSTER ON {q(c.new)}" if c.new else "SET WITHOUT CLUSTER"
        self.alter(c.schema, c.table, action, VALIDATE)

    def _attach_partition(self, c: ch.AttachPartition) -> None:
        # after the columns are changed, before keys and indexes (the parent's then reach it by themselves)
        check = warning = None
        if c.default_rows is not None:  # PostgreSQL refuses the bound while the DEFAULT partition has such rows
            default, key = c.default_rows
            predicate = bound_predicate(key, c.bound)
            query = None if predicate is None else \
                f"SELECT count(*) FROM {qualified(c.schema, default)} WHERE {predicate}"
            if query is not None:
                check = (f"ATTACH PARTITION {qualified(c.schema, c.table)} beside the default partition "
                         f"{qualified(c.schema, default)}", query,
                         f"move those rows out of {qualified(c.schema, default)} first (DELETE them there and INSERT "
                         "them again once the partition exists, or detach the default partition around it)", True)
            warning = (f"fails if the default partition {qualified(c.schema, default)} holds rows of the new "
                       "partition's range: " + (f"count them first with {query}" if query is not None else
                                                 f"not counted for the bound {c.bound} (check it by hand)"))
        self.alter(c.schema, c.parent, f"ATTACH PARTITION {qualified(c.schema, c.table)} {c.bound}", ALTER_COLUMN,
                   rank=1, data_check=check, warning=warning)

    def _detach_partition(self, c: ch.DetachPartition) -> None:
        table = qualified(c.schema, c.table)
        self.alter(c.schema, c.parent, f"DETACH PARTITION {table}", DROP_TABLE, rank=-2)
        # what it had from the parent stays on it: dropped (the diff adds what the table keeps)
        own = "ARRAY[" + ", ".join(quote_literal(n) for n in c.own) + "]::name[]"
        target = quote_literal(table)
        body = (f"\nDECLARE r record;\nBEGIN\n"
                f"    FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = {target}::regclass\n"
                f"             AND contype IN ('p', 'u', 'x', 'f', 'c') AND conname <> ALL ({own}) LOOP\n"
                f"        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', {target}::regclass, r.conname);\n"
                f"    END LOOP;\n"
                f"    FOR r IN SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid\n"
                f"             WHERE i.indrelid = {target}::regclass AND ic.relname <> ALL ({own}) LOOP\n"
                f"        EXECUTE format('DROP INDEX %I.%I', {quote_literal(c.schema)}, r.relname);\n"
                f"    END LOOP;\nEND\n")
        self.add(DROP_TABLE, f"DO {dollar_quote(body, 'do')};", rank=-2)

    def _set_inherit(self, c: ch.SetInherit) -> None:
        if c.swap:  # new parents first (made by now), then the old ones let go, before their columns are dropped
            action = "INHERIT" if c.inherit else "NO INHERIT"
            self.alter(c.schema, c.table, f"{action} {qualified(c.schema, c.parent)}", CREATE_TABLE,
                       rank=1 if c.inherit else 2)
        elif c.inherit:  # once the child has the parent's columns
            self.alter(c.schema, c.table, f"INHERIT {qualified(c.schema, c.parent)}", ALTER_COLUMN, rank=1)
        else:
            self.alter(c.schema, c.table, f"NO INHERIT {qualified(c.schema, c.parent)}", DROP_TABLE, rank=-2)

    def _add_rule(self, c: ch.AddRule) -> None:
        sql = c.definition.strip()
        self.add(CREATE_TRIGGER, sql if sql.endswith(";") else sql + ";")

    def _drop_rule(self, c: ch.DropRule) -> None:
        self.add(DROP_TRIGGER, f"DROP RULE {q(c.name)} ON {qualified(c.schema, c.table)};")

    def _set_logged(self, c: ch.SetLogged) -> None:
        self.alter(c.schema, c.table, "SET UNLOGGED" if c.unlogged else "SET LOGGED", ALTER_COLUMN)

    def _add_sequence(self, c: ch.AddSequence) -> None:
        self.add(SEQUENCE, _pg().sequence_sql(c.sequence, if_not_exists=True))
        if c.sequence.owned_by:
            self.add(ADD_FK, owned_by_sql(c.sequence))
        if c.sequence.comment:
            self.comment("sequence", qualified(c.sequence.schema, c.sequence.name), c.sequence.comment)

    def _drop_sequence(self, c: ch.DropSequence) -> None:
        # after the tables and columns that own or use it (an owned one may be gone with its table)
        self.add(DROP_ENUM, f"DROP SEQUENCE IF EXISTS {qualified(c.sequence.schema, c.sequence.name)};")

    def _alter_sequence(self, c: ch.AlterSequence) -> None:
        if sequence_options(c.old) != sequence_options(c.new):
            name = qualified(c.new.schema, c.new.name)
            alter = f"ALTER SEQUENCE {name} {sequence_options(c.new)}"
            if c.new.min_value > c.old.min_value or c.new.max_value < c.old.max_value:
                # tighter bounds: PostgreSQL refuses them while the current value lies outside, unless the
                # sequence restarts; it restarts (at its START) only then, a value inside is kept
                body = (f"\nBEGIN\n    IF (SELECT last_value FROM {name}) NOT BETWEEN {c.new.min_value} AND "
                        f"{c.new.max_value} THEN\n        {alter} RESTART;\n    ELSE\n        {alter};\n"
                        f"    END IF;\nEND\n")
                self.add(SEQUENCE, f"DO {dollar_quote(body, 'do')};",
                         warning=f"{name} restarts at {c.new.start} if its current value lies outside "
                                 f"{c.new.min_value}..{c.new.max_value}")
            else:
                self.add(SEQUENCE, f"{alter};")
        if c.old.owned_by != c.new.owned_by:
            self.add(ADD_FK, owned_by_sql(c.new))

    def domain_phase(self, checks) -> int:
        """A domain whose CHECK calls a function this migration creates comes after the functions."""
        used = set().union(*(_words(k.expression.sql) for k in checks)) if checks else set()
        return DOMAIN_AFTER_FUNCTIONS if used & self.new_functions else DOMAIN

    def _add_domain(self, c: ch.AddDomain) -> None:
        self.add(self.domain_phase(c.domain.checks), _pg().domain_sql(c.domain))
        if c.domain.comment:
            self.comment("domain", qualified(c.domain.schema, c.domain.name), c.domain.comment)

    def _drop_domain(self, c: ch.DropDomain) -> None:
        self.add(DROP_ENUM, f"DROP DOMAIN {qualified(c.domain.schema, c.domain.name)};")

    def _alter_domain(self, c: ch.AlterDomain) -> None:
        o, n = c.old, c.new
        name = qualified(n.schema, n.name)
        if not same_expression(o.default, n.default):
            self.add(DOMAIN, f"ALTER DOMAIN {name} " + (f"SET DEFAULT {n.default};" if n.default is not None
                                                       else "DROP DEFAULT;"))
        old_checks = {k.name: k for k in o.checks}
        new_checks = {k.name: k for k in n.checks}
        for k in o.checks:
            if k.name not in new_checks or not same_expression(k.expression, new_checks[k.name].expression):
                self.add(DOMAIN, f"ALTER DOMAIN {name} DROP CONSTRAINT {q(k.name)};")
        if o.not_null != n.not_null:
            self.add(DOMAIN, f"ALTER DOMAIN {name} {'SET' if n.not_null else 'DROP'} NOT NULL;")
        for k in n.checks:
            if k.name not in old_checks or not same_expression(k.expression, old_checks[k.name].expression):
                self.add(self.domain_phase([k]), f"ALTER DOMAIN {name} ADD {domain_check_sql(k)};")
        if o.comment != n.comment:
            self.comment("domain", name, n.comment)

    def _add_composite_type(self, c: ch.AddCompositeType) -> None:
        t = c.type
        self.add(ENUM, composite_type_sql(t))
        if t.comment:
            self.comment("type", qualified(t.schema, t.name), t.comment)

    def _drop_composite_type(self, c: ch.DropCompositeType) -> None:
        self.add(DROP_ENUM, f"DROP TYPE {qualified(c.type.schema, c.type.name)};", data_loss=c.data_loss)

    def _alter_composite_type(self, c: ch.AlterCompositeType) -> None:
        name = qualified(c.new.schema, c.new.name)
        old, new = dict(c.old.attributes), dict(c.new.attributes)
        actions = [f"DROP ATTRIBUTE {q(a)}" for a in old if a not in new]
        actions += [f"ALTER ATTRIBUTE {q(a)} TYPE {t}" for a, t in new.items()
                    if a in old and attribute_type(old[a]) != attribute_type(t)]
        actions += [f"ADD ATTRIBUTE {q(a)} {t}" for a, t in new.items() if a not in old]
        kept = [a for a in old if a in new]
        reachable = [a for a, _ in c.new.attributes] == kept + [a for a in new if a not in old]
        warning = None if reachable else (f"{name}: ALTER TYPE adds attributes at the end: their order will be "
                                          f"{', '.join(kept + [a for a in new if a not in old])}")
        if actions:
            self.add(ENUM, f"ALTER TYPE {name} {', '.join(actions)};", data_loss=c.data_loss, warning=warning)
        if c.old.comment != c.new.comment:
            self.comment("type", name, c.new.comment)

    def _drop_enum(self, c: ch.DropEnum) -> None:
        self.add(DROP_ENUM, f"DROP TYPE {qualified(c.enum.schema, c.enum.name)};")

    def _rename_enum(self, c: ch.RenameEnum) -> None:
        self.add(self.rename_phase, f"ALTER TYPE {qualified(c.schema, c.old)} RENAME TO {q(c.new)};")

    def _alter_enum(self, c: ch.AlterEnum) -> None:
        name = qualified(c.new.schema, c.new.name)
        if c.adds_only:
            values = list(c.new.values)
            for i, value in enumerate(values):
                if value in c.old.values:
                    continue
                if i:
                    where = f" AFTER {quote_literal(values[i - 1])}"
                else:
                    where = f" BEFORE {quote_literal(c.old.values[0])}" if c.old.values else ""
                self.add(ENUM, f"ALTER TYPE {name} ADD VALUE {quote_literal(value)}{where};", transactional=False)
            return
        old_name = shorten(f"{c.old.name}__old")
        for view in c.views:
            self._drop_view(ch.DropView(view))
        for use in c.uses:
            if use.default is not None:
                self.alter(use.schema, use.table, f"ALTER COLUMN {q(use.column)} DROP DEFAULT", RECREATE_ENUM)
        removed = [v for v in c.old.values if v not in c.new.values]
        check: dict = {}
        if removed and c.uses:
            labels = ", ".join(quote_literal(v) for v in removed)
            counts = [f"(SELECT count(*) FROM {qualified(u.schema, u.table)} WHERE "
                      + (f"{q(u.column)}::text = ANY (ARRAY[{labels}]))" if not u.array_dims
                         else f"{q(u.column)}::text[] && ARRAY[{labels}])") for u in c.uses]
            count = "SELECT " + " + ".join(counts)
            used = ", ".join(f"{qualified(u.schema, u.table)}.{q(u.column)}" for u in c.uses)
            check = {"warning": f"fails if rows of {used} still hold {labels}: count them first with {count}",
                     "data_check": (f"removing {labels} from {name} (used by {used})", count,
                                    "move those rows to a kept value first", True),
                     "tightens": ("enum", c.old.schema, c.old.name,
                                  tuple((u.schema, u.table, u.column, u.array_dims) for u in c.uses))}
        self.add(RECREATE_ENUM, f"ALTER TYPE {name} RENAME TO {q(old_name)};", data_loss=self.loss(c), **check)
        self.add(RECREATE_ENUM, _pg().enum_sql(c.new))
        for use in c.uses:
            target = name + "[]" * use.array_dims
            via = "text" + "[]" * use.array_dims
            self.alter(use.schema, use.table, f"ALTER COLUMN {q(use.column)} TYPE {target} "
                       f"USING {q(use.column)}::{via}::{target}", RECREATE_ENUM)
            if use.default is not None:
                self.alter(use.schema, use.table, f"ALTER COLUMN {q(use.column)} SET DEFAULT {use.default}",
                           RECREATE_ENUM)
        self.add(DROP_ENUM, f"DROP TYPE {qualified(c.old.schema, old_name)};")
        for view, access in zip(c.views, c.view_access or [ch.Access()] * len(c.views)):
            self._add_view(ch.AddView(view, access))
        if c.new.comment:
            self.comment("type", name, c.new.comment)

    # --- tables and columns -------------------------------------------------------------------------
    def _add_table(self, c: ch.AddTable) -> None:
        t = c.table
        typed = replace(t, columns=[_typed(t.schema, col) for col in t.columns])
        for col in t.columns:
            self.sequence(t.schema, t.name, col, CREATE_TABLE)
        if t.partition_of is not None:  # attached once its parent has every column (ALTER_COLUMN)
            # without an identity of its own (PostgreSQL 17+ refuses to attach one; the catalog shows the
            # parent's on it): ATTACH gives it what PARTITION OF would
            typed = replace(typed, partition_of=None, partition_bound=None,
                            columns=[replace(col, identity=None, identity_options=None, identity_sequence=None)
                                     for col in typed.columns])
            self._attach_partition(ch.AttachPartition(t.schema, t.partition_of, t.name, t.partition_bound or "",
                                                      c.default_rows))
        self.add(CREATE_TABLE, _pg().table_sql(typed, {fk.name for fk in t.foreign_keys},
                                               (set(c.inherited_columns), set(c.inherited_checks)),
                                               not_null_of=t.partition_of), rank=-1)
        for name, default in c.inherited_defaults:  # an inherited column with a default of its own
            action = f"SET DEFAULT {default}" if default is not None else "DROP DEFAULT"
            self.add(CREATE_TABLE, f"ALTER TABLE ONLY {qualified(t.schema, t.name)} ALTER COLUMN {q(name)} {action};")
        for fk in t.foreign_keys:
            self.alter(t.schema, t.name, f"ADD {_pg().foreign_key_sql(fk)}", ADD_FK)
        for statement in partition_statements(t):  # as V001 makes them: DEFAULT, last month to three ahead
            self.add(PARTITIONS, statement)
        if partition_statements(t):  # made after the default privileges, unlike V001's: no grants of their own
            self.add(PARTITIONS, partition_grants_revoked(t))
        for ix in t.indexes:
            self.add(ADD_INDEX, _pg().index_sql(t, ix))
        if t.cluster_on:  # once its index exists (a key's comes with the table)
            self._set_cluster(ch.SetCluster(t.schema, t.name, None, t.cluster_on))
        for col in t.columns:
            if col.statistics is not None:
                self.alter(t.schema, t.name, f"ALTER COLUMN {q(col.name)} SET STATISTICS {col.statistics}",
                           CREATE_TABLE)
        for tr in t.triggers:
            self._add_trigger(ch.AddTrigger(t.schema, t.name, tr))
        for name, definition in t.rules.items():
            self._add_rule(ch.AddRule(t.schema, t.name, name, definition))
        self.row_security(t.schema, t.name, (False, False), (t.rls_enabled, t.rls_forced))
        self.access(f"TABLE {self.late(t.schema, t.name)}", c.access)
        if t.comment:
            self.comment("table", self.late(t.schema, t.name), t.comment)
        for col in t.columns:
            if col.comment:
                self.comment("column", self.late(t.schema, t.name, col.name), col.comment)
        for ck in [*t.checks, *([t.primary_key] if t.primary_key else []), *t.uniques, *t.exclusions, *t.foreign_keys]:
            if ck.comment:
                self.comment("constraint", f"{q(ck.name)} ON {self.late(t.schema, t.name)}", ck.comment)
        for key in [*([t.primary_key] if t.primary_key else []), *t.uniques, *t.exclusions]:
            if key.index_comment:  # the key's own index
                self.comment("index", qualified(t.schema, key.name), key.index_comment)
        for ix in t.indexes:
            if ix.comment:
                self.comment("index", qualified(t.schema, ix.name), ix.comment)

    def sequence(self, schema: str, table: str, column: Column, phase: int) -> None:
        """CREATE SEQUENCE for a ``nextval`` default (before ``phase``), OWNED BY the column after it."""
        seq = _sequence(column.default)
        if seq is None:
            return
        kind = _INTEGER_KINDS.get(column.type.kind) if column.type.array_dims == 0 else None
        self.add(SEQUENCE, f"CREATE SEQUENCE IF NOT EXISTS {seq}" + (f" AS {kind};" if kind else ";"))
        serial_name = f"{table}_{column.name}_seq"  # the column's own sequence, as serial names it
        if len(serial_name.encode()) > 63 or seq.rpartition(".")[2] == q(serial_name):
            self.add(phase, f"ALTER SEQUENCE {seq} OWNED BY {qualified(schema, table)}.{q(column.name)};")

    def _drop_table(self, c: ch.DropTable) -> None:
        t = c.table
        for fk in t.foreign_keys:  # so that tables dropped together can go in any order
            if (fk.ref_schema or t.schema, fk.ref_table) != (t.schema, t.name):
                self.alter(t.schema, t.name, f"DROP CONSTRAINT {q(fk.name)}", DROP_FK)
        kind = "FOREIGN TABLE" if t.foreign_server is not None else "TABLE"
        self.add(DROP_TABLE, f"DROP {kind} {qualified(t.schema, t.name)};", data_loss=self.loss(c))

    def _rename_table(self, c: ch.RenameTable) -> None:
        # declared in the input (renamed_from): the lint's rename rule is answered in the header, not ignored
        self.add(self.rename_phase, f"-- schemawright:ignore SW518 declared with renamed_from (see REVIEW above)\n"
                 f"ALTER TABLE {qualified(c.schema, c.old)} RENAME TO {q(c.new)};",
                 warning=f"renames table {qualified(c.schema, c.old)} to {q(c.new)}: running code that uses the old "
                         "name fails from then on (deploy code that handles both names first)")

    def _add_column(self, c: ch.AddColumn) -> None:
        col, key = _typed(c.schema, c.column), (c.schema, c.table)
        label = f"{qualified(c.schema, c.table)}.{q(col.name)}"
        # a cleanup the user asks for (a fill expression) replaces the step(s) of the ADD: nullable, filled,
        # then NOT NULL (dialects/postgres_cleanup.py)
        tag = {"tightens": ("new_not_null", c.schema, c.table, col.name,
                            _pg().column_sql(replace(col, nullable=True)))} if _needs_fill(col) else {}
        if not _needs_fill(col) or self.row_counts.get(key) == 0:
            self.alter(c.schema, c.table, f"ADD COLUMN {_pg().column_sql(col)}", ADD_COLUMN, rank=-1, **tag)
        elif (fill := self.fill_value(c)) is not None:
            # every existing row needs a value: a constant default fills them without a rewrite (PostgreSQL
            # 11+), dropped right after so that the column ends as designed (NOT NULL, no default)
            self.alter(c.schema, c.table, f"ADD COLUMN {_pg().column_sql(replace(col, default=Expression(fill)))}",
                       ADD_COLUMN, rank=-1,
                       warning=f"existing rows get {label} = {fill}, a placeholder (the column is NOT NULL and "
                               "has no default): review it, give the attribute a default in the input, or a fill "
                               "expression in a cleanup file (diff --cleanup)", **tag)
            # the placeholder, typed, for the live check of a new CHECK over the column (placeholder_check_query)
            self.alter(c.schema, c.table, f"ALTER COLUMN {q(col.name)} DROP DEFAULT", ADD_COLUMN, rank=-1,
                       tightens=("placeholder", c.schema, c.table, col.name, f"CAST({fill} AS {type_sql(col.type)})"))
        else:
            why = ("it references another table" if (c.schema, c.table, col.name) in self.fk_columns
                   else "it must be unique" if (c.schema, c.table, col.name) in self.unique_columns
                   else f"no placeholder value exists for type {type_sql(col.type)}")
            self.alter(c.schema, c.table, f"ADD COLUMN {_pg().column_sql(col)}", ADD_COLUMN, rank=-1,
                       needs_empty=key,
                       warning=f"{label} is NOT NULL with no default and {why}: this step fails if the table has "
                               "rows; give it a default, a fill expression in a cleanup file (diff --cleanup), or "
                               "add it nullable, fill it, then make it NOT NULL in a later migration", **tag)
        self.sequence(c.schema, c.table, c.column, ADD_COLUMN)
        if c.column.statistics is not None:
            self.alter(c.schema, c.table, f"ALTER COLUMN {q(col.name)} SET STATISTICS {c.column.statistics}",
                       ADD_COLUMN)
        if c.column.comment:
            self.comment("column", self.late(c.schema, c.table, c.column.name), c.column.comment)

    def fill_value(self, c: ch.AddColumn) -> str | None:
        """A value for the existing rows of a new NOT NULL column without a default: an allowed value its
        CHECK names, else a neutral value of its type; None when no constant can be right (a foreign key,
        a unique column: ask the user)."""
        col, where = c.column, (c.schema, c.table, c.column.name)
        if where in self.fk_columns:
            return None
        if col.type.kind == Kind.UUID and col.type.array_dims == 0:
            return "gen_random_uuid()"  # distinct per row: also fine for a unique column
        if where in self.unique_columns:
            return None
        for check in self.column_checks.get(where, ()):
            if col.type.kind in _TEXTUAL and (m := re.search(r"'((?:[^']|'')*)'", check)):
                return f"'{m.group(1)}'"
        if col.type.array_dims:
            return "'{}'"
        if col.type.kind == Kind.ENUM:
            values = self.enum_values.get((c.schema, col.type.name))
            return quote_literal(values[0]) if values else None
        return _FILL.get(col.type.kind)

    def _drop_column(self, c: ch.DropColumn) -> None:
        self.alter(c.schema, c.table, f"DROP COLUMN {q(c.column.name)}", DROP_COLUMN, data_loss=self.loss(c))

    def _rename_column(self, c: ch.RenameColumn) -> None:
        table = qualified(c.schema, c.table)
        self.add(self.rename_phase, f"-- schemawright:ignore SW517 declared with renamed_from (see REVIEW above)\n"
                 f"ALTER TABLE {table} RENAME COLUMN {q(c.old)} TO {q(c.new)};",
                 warning=f"renames column {table}.{q(c.old)} to {q(c.new)}: running code that uses the old name fails "
                         "from then on (deploy code that handles both names first)")

    def _alter_column(self, c: ch.AlterColumn) -> None:
        old, new, changed = c.old, c.new, set(c.changed)
        col = q(new.name)

        def alter(action: str, **kw) -> None:
            self.alter(c.schema, c.table, f"ALTER COLUMN {col} {action}", ALTER_COLUMN, **kw)

        if c.rebuilds:
            self.alter(c.schema, c.table, f"DROP COLUMN {col}", DROP_COLUMN, data_loss=self.loss(c))
            self._add_column(ch.AddColumn(c.schema, c.table, new))
            return
        if "generated" in changed:
            alter("DROP EXPRESSION")
        if old.identity and not new.identity:
            alter("DROP IDENTITY")
        elif old.identity and new.identity and "identity" in changed:
            alter(f"SET GENERATED {new.identity.upper()}")
        if old.identity and new.identity and "identity options" in changed:
            action = _identity_options(new.identity_options)
            before, after = _bounds(old.identity_options), _bounds(new.identity_options)
            if after and (not before or after[0] > before[0] or after[1] < before[1]):
                # tighter bounds: restart (at START) only when the current value lies outside them
                table = qualified(c.schema, c.table)
                sequence = f"pg_get_serial_sequence({quote_literal(table)}, {quote_literal(new.name)})::regclass"
                current = (f"coalesce(pg_sequence_last_value({sequence}), "
                           f"(SELECT seqstart FROM pg_sequence WHERE seqrelid = {sequence}))")
                statement = f"ALTER TABLE {table} ALTER COLUMN {col} {action}"
                body = (f"\nBEGIN\n    IF {current} NOT BETWEEN {after[0]} AND {after[1]} THEN\n        {statement} "
                        f"RESTART;\n    ELSE\n        {statement};\n    END IF;\nEND\n")
                self.add(ALTER_COLUMN, f"DO {dollar_quote(body, 'do')};",
                         warning=f"the identity sequence of {table}.{col} restarts if its current value lies outside "
                                 f"{after[0]}..{after[1]}")
            else:
                alter(action)
        if old.default is not None and changed & {"type", "default"} and _sequence(old.default) is not None:
            # a default drawing from a sequence lets go of it before tables and columns are dropped: the sequence
            # may go with one of them (a former parent's serial column that a child's default still used)
            self.alter(c.schema, c.table, f"ALTER COLUMN {col} DROP DEFAULT", DROP_TABLE, rank=-1)
        elif old.default is not None and changed & {"type", "default"}:
            alter("DROP DEFAULT")
        if c.encryption:
            self.encryption_key_check()
            target, key = _type_sql(c.schema, new.type), f"current_setting({quote_literal(KEY_SETTING)})"
            # the same functions, key setting and cipher as fn_encrypt/fn_decrypt (design/security.py);
            # current_setting without missing_ok: no key, no migration
            using = (f"public.pgp_sym_encrypt({col}::text, {key}, 'cipher-algo=aes256')" if c.encryption == "encrypt"
                     else f"public.pgp_sym_decrypt({col}, {key})::{target}")
            alter(f"TYPE {target} USING {using}", data_loss=self.loss(c))
        elif "type" in changed:
            target = _type_sql(c.schema, new.type)
            named = {Kind.ENUM, Kind.OTHER}
            via = "::text" + "[]" * old.type.array_dims if {old.type.kind, new.type.kind} & named else ""
            table = qualified(c.schema, c.table)
            warning = (f"rewrites {table} and its indexes under an ACCESS EXCLUSIVE lock (readers and writers wait "
                       "until it ends)" if _rewrites(old.type, new.type) else None)
            check = tightens = None
            if ch.narrowing(old.type, new.type):
                src = q(old.name)
                # rows whose value the new type cannot hold as it is: a predicate that cannot fail when one is
                # known (a cast that overflows fails, and the count with it); else a value that does not come back
                # the same, compared as the old type (2 as numeric(10,2) is 2.00, the same number; its text is
                # not), as text for enums and named types
                changes = (f"({src}{via}::{target})::text IS DISTINCT FROM {src}::text" if via else
                           f"({src}::{target})::{_type_sql(c.schema, old.type)} IS DISTINCT FROM {src}")
                misfit = misfit_sql(src, old.type, new.type) or f"{src} IS NOT NULL AND {changes}"
                check = (f"{table}.{src} {type_sql(old.type)} -> {target}", f"SELECT count(*) FROM {table} WHERE {misfit}",
                         "fix or shorten those values first (diff --cleanup: 'type: table.column' with 'fit' or "
                         "'delete'), or keep the wider type", False)
                tightens = ("type", c.schema, c.table, old.name, misfit_sql(src, old.type, new.type), target)
                warning = ((warning + "; ") if warning else "") + (
                    f"values of {table}.{src} that do not fit {target} fail or change: count them first with "
                    f"{check[1]}")
            # a binary-compatible change needs no USING (and none makes lint and readers think of a rewrite)
            using = f" USING {col}{via}::{target}" if via or _rewrites(old.type, new.type) else ""
            collate = f" COLLATE {q(new.collation or 'default')}" if "collation" in changed else ""
            alter(f"TYPE {target}{collate}{using}", data_loss=self.loss(c), warning=warning, data_check=check,
                  tightens=tightens)
        elif "collation" in changed:
            alter(f"TYPE {_type_sql(c.schema, new.type)} COLLATE {q(new.collation or 'default')}")
        if new.default is not None and not new.identity and changed & {"type", "default"}:
            self.sequence(c.schema, c.table, new, ALTER_COLUMN)
            table = qualified(c.schema, c.table)
            backfill = (f"a new default applies to new rows only: existing rows of {table} keep NULL in {col} "
                        f"(count: SELECT count(*) FROM {table} WHERE {q(old.name)} IS NULL; fill them with UPDATE "
                        f"{table} SET {col} = {new.default} WHERE {col} IS NULL if they should have it)"
                        if old.default is None and old.nullable and new.nullable else None)
            alter(f"SET DEFAULT {new.default}", warning=backfill)
        if old.nullable and not new.nullable:
            self.set_not_null(c, new)
        elif not old.nullable and new.nullable:
            alter("DROP NOT NULL")
        if "statistics" in changed:
            alter(f"SET STATISTICS {-1 if new.statistics is None else new.statistics}")
        if new.identity and not old.identity:
            options = f" ({new.identity_options})" if new.identity_options else ""
            alter(f"ADD GENERATED {new.identity.upper()} AS IDENTITY{options}")
            table = qualified(c.schema, c.table)
            self.add(ALTER_COLUMN, f"SELECT setval(pg_get_serial_sequence({quote_literal(table)}, "
                     f"{quote_literal(new.name)}), coalesce(max({col}), 0) + 1, false) FROM {table};")

    def encryption_key_check(self) -> None:
        """Once, before the columns are encrypted or decrypted: a clear error when the session has no key."""
        if self.key_checked:
            return
        self.key_checked = True
        message = quote_literal(f"{KEY_SETTING} is not set: this migration encrypts or decrypts columns with the key "
                                f"of the session; set it (for example PGOPTIONS='-c {KEY_SETTING}=...') and run "
                                "it again")
        self.add(KEY_CHECK, f"DO $$\nBEGIN\n    IF coalesce(current_setting({quote_literal(KEY_SETTING)}, true), "
                 f"'') = '' THEN\n        RAISE EXCEPTION {message} USING ERRCODE = 'invalid_parameter_value';\n"
                 "    END IF;\nEND\n$$;", rank=-5)  # first of all: without the key, nothing changes

    def set_not_null(self, c: ch.AlterColumn, column: Column) -> None:
        col, table = q(column.name), qualified(c.schema, c.table)
        count = f"SELECT count(*) FROM {table} WHERE {q(c.old.name)} IS NULL"
        check = (f"NOT NULL on {table}.{q(c.old.name)}", count,
                 f"fill them first (UPDATE {table} SET {q(c.old.name)} = ... WHERE {q(c.old.name)} IS NULL), or give "
                 "the column a default and backfill it in a migration before this one", True)
        warning = f"fails if rows hold NULL in {table}.{col}: count them first with {count}"
        tightens = ("not_null", c.schema, c.table, column.name)
        if not self.online_on(c.partitioned):
            self.alter(c.schema, c.table, f"ALTER COLUMN {col} SET NOT NULL", ALTER_COLUMN, warning=warning,
                       data_check=check, tightens=tightens)
            return
        helper = q(constraint_name("chk", c.table, [column.name, "not_null"]))
        for i, action in enumerate((f"ADD CONSTRAINT {helper} CHECK ({col} IS NOT NULL) NOT VALID",
                                    f"VALIDATE CONSTRAINT {helper}", f"ALTER COLUMN {col} SET NOT NULL",
                                    f"DROP CONSTRAINT {helper}")):
            self.alter(c.schema, c.table, action, ALTER_COLUMN,
                       **({"warning": warning, "data_check": check, "tightens": tightens} if i == 1 else {}))

    # --- constraints, indexes, triggers -------------------------------------------------------------
    def _add_constraint(self, c: ch.AddConstraint) -> None:
        k = c.constraint
        table = qualified(c.schema, c.table)
        if isinstance(k, ExclusionConstraint):  # builds its index under the lock: no online form exists
            self.alter(c.schema, c.table, f"ADD {_pg().exclusion_sql(k)}", ADD_CONSTRAINT)
            if k.comment:
                self.comment("constraint", f"{q(k.name)} ON {self.late(c.schema, c.table)}", k.comment)
            if k.index_comment:
                self.comment("index", qualified(c.schema, k.name), k.index_comment)
            return
        existing = (c.schema, c.table) not in self.new_table_keys
        if hasattr(k, "expression"):
            count = f"SELECT count(*) FROM {table} WHERE NOT ({k.expression.sql})"
            check = {"warning": f"fails if rows violate {q(k.name)}: count them first with {count}",
                     "data_check": (f"CHECK {q(k.name)} on {table}", count,
                                    f"correct or delete those rows (SELECT * FROM {table} WHERE NOT "
                                    f"({k.expression.sql})), or relax the rule", True),
                     "tightens": ("check", c.schema, c.table, k.name, tuple(getattr(k, "columns", ()) or ()),
                                  k.expression.sql)} if existing else {}
            if self.online:  # a partitioned table takes a NOT VALID CHECK too (unlike CONCURRENTLY, or an FK before 18)
                self.alter(c.schema, c.table, f"ADD {_pg().check_sql(k)} NOT VALID", ADD_CONSTRAINT)
                self.alter(c.schema, c.table, f"VALIDATE CONSTRAINT {q(k.name)}", VALIDATE, **check)
            else:
                self.alter(c.schema, c.table, f"ADD {_pg().check_sql(k)}", ADD_CONSTRAINT, **check)
            if k.comment:
                self.comment("constraint", f"{q(k.name)} ON {self.late(c.schema, c.table)}", k.comment)
            return
        kind = "UNIQUE" if hasattr(k, "nulls_not_distinct") else "PRIMARY KEY"
        nnd = getattr(k, "nulls_not_distinct", False)
        present = " AND ".join(f"{q(col)} IS NOT NULL" for col in k.columns)
        count = (f"SELECT count(*) FROM (SELECT 1 FROM {table}" + ("" if nnd else f" WHERE {present}")
                 + f" GROUP BY {_cols(k.columns)} HAVING count(*) > 1) AS duplicated")
        check = {"warning": f"fails if {table} holds duplicates of ({_cols(k.columns)}): count them first with {count}",
                 "data_check": (f"{kind} {q(k.name)} on {table} ({_cols(k.columns)})", count,
                                "remove or merge the duplicated rows first", True),
                 "tightens": ("unique", c.schema, c.table, k.name, tuple(k.columns), nnd)} if existing else {}
        if self.online_on(c.partitioned):
            self.add(ADD_CONSTRAINT, f"CREATE UNIQUE INDEX CONCURRENTLY {q(k.name)} ON {table} ({_cols(k.columns)})"
                     + (" NULLS NOT DISTINCT;" if nnd else ";"), transactional=False, **check)
            self.alter(c.schema, c.table, f"ADD CONSTRAINT {q(k.name)} {kind} USING INDEX {q(k.name)}{deferral(k)}",
                       ADD_CONSTRAINT)
        elif kind == "UNIQUE":
            self.alter(c.schema, c.table, f"ADD {_pg().unique_sql(k)}", ADD_CONSTRAINT, **check)
        else:
            self.alter(c.schema, c.table, f"ADD CONSTRAINT {q(k.name)} PRIMARY KEY ({_cols(k.columns)}){deferral(k)}",
                       ADD_CONSTRAINT, **check)
        if k.comment:
            self.comment("constraint", f"{q(k.name)} ON {self.late(c.schema, c.table)}", k.comment)
        if k.index_comment:  # the key's own index, named as the key
            self.comment("index", qualified(c.schema, k.name), k.index_comment)

    def _drop_constraint(self, c: ch.DropConstraint) -> None:
        self.alter(c.schema, c.table, f"DROP CONSTRAINT {q(c.constraint.name)}", DROP_CONSTRAINT)

    def _rename_constraint(self, c: ch.RenameConstraint) -> None:
        self.alter(c.schema, c.table, f"RENAME CONSTRAINT {q(c.old)} TO {q(c.new)}", RENAME_OBJECT)

    def _add_foreign_key(self, c: ch.AddForeignKey) -> None:
        fk = _pg().foreign_key_sql(c.foreign_key)
        if self.online_on(c.partitioned):
            self.alter(c.schema, c.table, f"ADD {fk} NOT VALID", ADD_FK)
            self.alter(c.schema, c.table, f"VALIDATE CONSTRAINT {q(c.foreign_key.name)}", VALIDATE)
        else:
            self.alter(c.schema, c.table, f"ADD {fk}", ADD_FK)
        if c.foreign_key.comment:
            self.comment("constraint", f"{q(c.foreign_key.name)} ON {self.late(c.schema, c.table)}",
                         c.foreign_key.comment)

    def _drop_foreign_key(self, c: ch.DropForeignKey) -> None:
        self.alter(c.schema, c.table, f"DROP CONSTRAINT {q(c.foreign_key.name)}", DROP_FK)

    def _add_index(self, c: ch.AddIndex) -> None:
        sql = _pg().index_sql(Table(name=c.table, schema=c.schema), c.index)
        if self.online_on(c.partitioned):
            self.add(ADD_INDEX, sql.replace(" INDEX ", " INDEX CONCURRENTLY ", 1), transactional=False)
        else:
            self.add(ADD_INDEX, sql)
        if c.index.comment:
            self.comment("index", qualified(c.schema, c.index.name), c.index.comment)

    def _drop_index(self, c: ch.DropIndex) -> None:
        name = qualified(c.schema, c.index.name)
        if self.online_on(c.partitioned):
            self.add(DROP_INDEX, f"DROP INDEX CONCURRENTLY {name};", transactional=False)
        else:
            self.add(DROP_INDEX, f"DROP INDEX {name};")

    def _rename_index(self, c: ch.RenameIndex) -> None:
        self.add(RENAME_OBJECT, f"ALTER INDEX {qualified(c.schema, c.old)} RENAME TO {q(c.new)};")

    def _add_trigger(self, c: ch.AddTrigger) -> None:
        self.add(CREATE_TRIGGER, _trigger_sql(c.schema, self.late(c.schema, c.table), c.trigger))
        if c.trigger.comment:
            self.comment("trigger", f"{q(c.trigger.name)} ON {self.late(c.schema, c.table)}", c.trigger.comment)

    def _drop_trigger(self, c: ch.DropTrigger) -> None:
        self.add(DROP_TRIGGER, f"DROP TRIGGER {q(c.trigger.name)} ON {qualified(c.schema, c.table)};")

    def _rename_trigger(self, c: ch.RenameTrigger) -> None:
        self.add(RENAME_OBJECT, f"ALTER TRIGGER {q(c.old)} ON {qualified(c.schema, c.table)} RENAME TO {q(c.new)};")

    # --- views, functions, comments -----------------------------------------------------------------
    def _add_view(self, c: ch.AddView) -> None:
        v = c.view
        self.add(CREATE_VIEW, _pg().view_sql(replace(v, query=v.query.strip().rstrip(";").rstrip())),
                 rank=self.create_rank.get((v.schema, v.name), 0))
        if v.comment:
            self.comment("materialized view" if v.materialized else "view", qualified(v.schema, v.name), v.comment)
        for column, text in v.column_comments.items():
            self.comment("column", f"{qualified(v.schema, v.name)}.{q(column)}", text)
        self.access(f"TABLE {qualified(v.schema, v.name)}", c.access)
        for tr in v.triggers:  # INSTEAD OF triggers go with the view (dropped with it)
            self._add_trigger(ch.AddTrigger(v.schema, v.name, tr))

    def _drop_view(self, c: ch.DropView) -> None:
        v = c.view
        kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        self.add(DROP_VIEW, f"DROP {kind} {qualified(v.schema, v.name)};",
                 rank=-self.drop_rank.get((v.schema, v.name), 0))

    def _add_function(self, c: ch.AddFunction) -> None:
        f = c.function
        late = _words(f"{f.returns} {f.arguments}") & self.new_tables
        self.add(LATE_FUNCTION if late else FUNCTION, _pg().function_sql(f))
        if f.comment:
            self.comment("function", _function_ref(f), f.comment)
        self.access(f"FUNCTION {_function_ref(f)}", c.access)

    def _drop_function(self, c: ch.DropFunction) -> None:
        self.add(DROP_FUNCTION, f"DROP FUNCTION {_function_ref(c.function)};")

    def _replace_function(self, c: ch.ReplaceFunction) -> None:
        sql = _pg().function_sql(c.new)
        if c.in_place:
            self.add(FUNCTION, sql.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
            return
        self.add(DROP_REBUILT_FUNCTION, f"DROP FUNCTION {_function_ref(c.old)};")
        self.add(REBUILT_FUNCTION, sql)
        if c.new.comment:
            self.comment("function", _function_ref(c.new), c.new.comment)
        self.access(f"FUNCTION {_function_ref(c.new)}", c.access)

    def _add_aggregate(self, c: ch.AddAggregate) -> None:
        a = c.aggregate
        target = f"{qualified(a.schema, a.name)}({a.arguments})"
        # after every function (those that read new tables too), before the views that may use it
        self.add(AGGREGATE, f"CREATE AGGREGATE {target} ({a.options});")
        if a.comment:
            self.comment("aggregate", target, a.comment)

    def _drop_aggregate(self, c: ch.DropAggregate) -> None:
        a = c.aggregate
        self.add(DROP_AGGREGATE, f"DROP AGGREGATE {qualified(a.schema, a.name)}({a.arguments});")

    def _set_comment(self, c: ch.SetComment) -> None:
        target = qualified(c.schema, c.name)
        if c.kind == "table":
            target = self.late(c.schema, c.name)
        elif c.kind == "column":
            target = self.late(c.schema, c.parent, c.name)
        elif c.kind in ("constraint", "trigger", "policy"):
            target = f"{q(c.name)} ON {self.late(c.schema, c.parent)}"
        elif c.kind in ("function", "aggregate"):
            target = f"{target}({c.parent or ''})"
        elif c.kind == "schema":
            target = q(c.name)
        self.comment(c.kind, target, c.new)


def _identity_options(options: str | None) -> str:
    """ALTER COLUMN's ``SET START WITH 5 SET INCREMENT BY 2 ...`` from a column's identity options (None:
    PostgreSQL's defaults)."""
    if not options:
        return "SET INCREMENT BY 1 SET NO MINVALUE SET NO MAXVALUE SET START WITH 1 SET CACHE 1 SET NO CYCLE"
    parts = re.findall(r"(START WITH|INCREMENT BY|MINVALUE|MAXVALUE|CACHE) (-?\d+)|(NO CYCLE|CYCLE)", options)
    return " ".join(f"SET {word} {value}" if word else f"SET {flag}" for word, value, flag in parts)


def _bounds(options: str | None) -> tuple[int, int] | None:
    """(MINVALUE, MAXVALUE) of identity options, None for the defaults."""
    if not options:
        return None
    low, high = re.search(r"MINVALUE (-?\d+)", options), re.search(r"MAXVALUE (-?\d+)", options)
    return (int(low.group(1)), int(high.group(1))) if low and high else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _needs_fill(col: Column) -> bool:
    """A NOT NULL column with nothing to fill existing rows (no default, identity or expression)."""
    return not col.nullable and col.default is None and not col.identity and col.generated is None


def _rewrites(old: DataType, new: DataType) -> bool:
    """Whether ALTER COLUMN ... TYPE rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock:
    every change but the binary-compatible ones (a longer or unbounded varchar, varchar to text, a numeric
    of the same scale with more precision)."""
    if old.array_dims != new.array_dims:
        return True
    o, n = old.element(), new.element()
    if o.kind in (Kind.VARCHAR, Kind.TEXT) and n.kind in (Kind.VARCHAR, Kind.TEXT):
        return n.kind == Kind.VARCHAR and n.length is not None and (o.kind == Kind.TEXT or o.length is None
                                                                    or n.length < o.length)
    if o.kind == n.kind == Kind.NUMERIC:
        return n.precision is not None and (o.precision is None or (o.scale or 0) != (n.scale or 0)
                                            or n.precision < o.precision)
    return o != n


def _trigger_sql(schema: str, table: str, tr: Trigger) -> str:
    """CREATE TRIGGER on ``table`` (already qualified), its function named with its schema."""
    fn_schema, fn_name = trigger_function(schema, tr)
    return (f"CREATE TRIGGER {q(tr.name)} {tr.timing} {trigger_events(tr)} ON {table}"
            f"\n    FOR EACH {tr.for_each}{trigger_when(tr)} EXECUTE FUNCTION {qualified(fn_schema, fn_name)}"
            f"({trigger_arguments(tr)});")


def _view_ranks(views: list[View]) -> dict[tuple[str, str], int]:
    """Dependency rank of each view (a view ranks after the views it reads)."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    for v in views:
        by_name.setdefault(v.name, []).append((v.schema, v.name))
    graph = {(v.schema, v.name): {dep for d in v.depends_on for dep in by_name.get(d, ()) if dep != (v.schema, v.name)}
             for v in views}
    return {key: rank for rank, key in enumerate(TopologicalSorter(graph).static_order(), start=1)}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()




def placeholder_check_query(schema: str, table: str, expression: str, fills: dict[str, str]) -> str:
    """The rows of a live table a CHECK would refuse once the new NOT NULL columns ``fills`` names hold their
    placeholders (column -> its typed value), counted before the migration adds them."""
    added = ", ".join(f"{fill} AS {q(col)}" for col, fill in fills.items())
    return f"SELECT count(*) FROM (SELECT *, {added} FROM {qualified(schema, table)}) AS t WHERE NOT ({expression})"


def change_steps(changes: list[ch.Change], *, online: bool, renames_first: bool,
                 row_counts: dict[tuple[str, str], int]) -> list[Step]:
    """The steps of ``changes`` in phase order (``renames_first``: the forward direction)."""
    return _Renderer(online, renames_first, row_counts).steps(changes)


def is_role_switch(step: Step) -> bool:
    """``SET ROLE`` / ``RESET ROLE``: a session setting the steps after it run under."""
    return bool(_ROLE_SWITCH_RE.match(step.sql))


def under_roles(steps: list[Step], chosen) -> list[Step]:
    """The ``chosen`` steps (indices into ``steps``), each preceded by the role switch it runs under in
    ``steps`` when that differs from the one before, and ``RESET ROLE`` at the end when a role is set: a
    part of a migration that runs as the whole would."""
    chosen = set(chosen)
    role: str | None = None  # the SET ROLE in force at this point of ``steps``
    emitted: str | None = None  # the one in force at this point of the output
    out: list[Step] = []
    for i, step in enumerate(steps):
        if is_role_switch(step):
            role = None if step.sql.strip().upper().startswith("RESET") else step.sql
            continue
        if i not in chosen:
            continue
        if role != emitted:
            out.append(Step(role if role is not None else "RESET ROLE;"))
            emitted = role
        out.append(step)
    if emitted is not None:
        out.append(Step("RESET ROLE;"))
    return out


def session_settings(lock_timeout: str, statement_timeout: str) -> list[str]:
    return [f"SET lock_timeout = {quote_literal(lock_timeout)};",
            f"SET statement_timeout = {quote_literal(statement_timeout)};",
            "SET check_function_bodies = off;"]


def script(steps: list[Step], settings: list[str], title: str) -> str:
    """Steps as one SQL script for a migration runner (``schemawright migrate up``, Flyway)."""
    lines = [f"-- {title}: {len(steps)} step(s), generated by schemawright diff"]
    outside = sum(not s.transactional for s in steps)
    statements = [s for s in steps if not _ROLE_SWITCH_RE.match(s.sql)]
    if outside == 1 and len(statements) == 1:
        lines += ["-- One statement that cannot run inside a transaction block: apply with 'schemawright migrate up',",
                  "-- with Flyway (executeInTransaction=false in <file>.conf, written by diff --flyway) or with",
                  "-- psql -v ON_ERROR_STOP=1 -f FILE (without --single-transaction)."]
    elif outside:
        lines += [f"-- {outside} step(s) marked 'no transaction' cannot run inside a transaction block. Apply with",
                  "-- 'schemawright migrate up': it runs the statements between those steps in one transaction each",
                  "-- and records its progress, so a failure leaves the database at the last completed step and",
                  "-- the next run resumes there. Do not run this file with psql -f: a failing statement would",
                  "-- leave it half applied with nothing recording how far it got. Flyway runs such a file only",
                  "-- with flyway.mixed=true, and then without a transaction: write it with 'diff --flyway' for",
                  "-- each such step in a versioned file of its own (executeInTransaction=false in its .conf)."]
    else:
        lines += ["-- Runs in one transaction: apply with 'schemawright migrate up' (or psql -v ON_ERROR_STOP=1",
                  "-- --single-transaction -f FILE); without a transaction a failure would leave it half applied."]
    lines += [f"-- DATA LOSS: {s.data_loss}" for s in steps if s.data_loss]
    lines += [f"-- REVIEW: {_one_line(s.warning)}" for s in steps if s.warning]
    lines += ["", *settings, ""]
    for s in steps:
        if s.data_loss:
            lines.append(f"-- DATA LOSS: {s.data_loss}")
        if s.warning:
            lines.append(f"-- REVIEW: {_one_line(s.warning)}")
        if not s.transactional:
            lines.append("-- no transaction")
        lines += [s.sql, ""]
    return "\n".join(lines)
