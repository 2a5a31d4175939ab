"""What the migration lint knows while it walks the statements, and the context rules see.

``Catalog`` remembers the relations the linted migrations created (with their column types). Each file is
judged against the schema that exists before it (``per_file``, the default): a table created by an earlier
file holds live data by the time a later file runs, so only a table created earlier in the *same* file is
new. ``per_file: false`` (``--whole-set``) treats the whole set as one migration onto an empty database. ``FileState`` follows transactions and ``lock_timeout``
within one file, since migration tools run each file in its own session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType, NullTestType, ObjectType, TransactionStmtKind, VariableSetKind

from schemawright.findings import Location
from schemawright.lint.pg import (LockMode, TypeRef, alter_commands, lock_requests, object_key, relation_key,
                                  string_const, type_ref, walk)
from schemawright.lint.source import SqlFile, Statement

DEFAULT_PG_VERSION = 14  # the oldest PostgreSQL release still supported by the community in 2026
OPTIONS: Mapping[str, type] = {"pg_version": int, "assume_in_transaction": bool, "per_file": bool}


@dataclass(frozen=True)
class MigrationSettings:
    """``pg_version``: the oldest server the migrations run on; ``assume_in_transaction``: the migration
    tool wraps each file in a transaction; ``per_file`` (default): tables created by earlier files count as
    existing (each file is judged against the schema before it)."""

    pg_version: int = DEFAULT_PG_VERSION
    assume_in_transaction: bool = False
    per_file: bool = True

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> MigrationSettings:
        return cls(**{k: v for k, v in options.items() if k in OPTIONS and v is not None})


@dataclass
class Relation:
    """A table, view or index created by the linted migrations."""

    file: str
    kind: str  # "table", "view", "index"
    columns: dict[str, TypeRef] = field(default_factory=dict)
    table: str | None = None  # an index's table


@dataclass
class Catalog:
    relations: dict[str, Relation] = field(default_factory=dict)
    not_null_checks: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, constraint) -> column
    validated: set[tuple[str, str]] = field(default_factory=set)  # (table, constraint) validated


@dataclass
class Transaction:
    start: Statement | None  # None: the one the migration tool opens (assume_in_transaction)
    not_valid: set[tuple[str, str]] = field(default_factory=set)  # constraints added NOT VALID in it
    locked: dict[str, tuple[LockMode, Statement]] = field(default_factory=dict)  # existing relations
    local_lock_timeout: bool = False

    @property
    def implicit(self) -> bool:
        return self.start is None


@dataclass
class FileState:
    transaction: Transaction | None = None
    lock_timeout: bool = False
    lock_timeout_reported: bool = False


class MigrationContext:
    """What a migration rule sees for one statement (the state *before* the statement runs)."""

    def __init__(self, file: SqlFile, statement: Statement, settings: MigrationSettings, catalog: Catalog,
                 state: FileState):
        self.file, self.statement, self.settings = file, statement, settings
        self.catalog, self.state = catalog, state

    def locate(self, at: Any = None) -> Location:
        start = self.statement.start
        location = at if isinstance(at, int) else getattr(at, "location", None)
        if isinstance(location, int) and self.statement.start <= location < self.statement.end:
            start = location
        return self.file.location(start, self.statement.end)

    @property
    def pg_version(self) -> int:
        return self.settings.pg_version

    def relation(self, key: str) -> Relation | None:
        return self.catalog.relations.get(key)

    def is_new(self, target: ast.RangeVar | str) -> bool:
        """Whether the relation was created by the migrations being linted (so it holds no live data)."""
        rel = self.relation(target if isinstance(target, str) else relation_key(target))
        if rel is None:
            return False
        if rel.kind == "index" and rel.table is not None:
            return self.is_new(rel.table)
        return not self.settings.per_file or rel.file == self.file.path

    def column_type(self, table: ast.RangeVar, column: str) -> TypeRef | None:
        rel = self.relation(relation_key(table))
        return rel.columns.get(column) if rel else None

    @property
    def transaction(self) -> Transaction | None:
        return self.state.transaction

    @property
    def lock_timeout_set(self) -> bool:
        tx = self.state.transaction
        return self.state.lock_timeout or bool(tx and tx.local_lock_timeout)

    def later_statements(self) -> list[Statement]:
        return self.file.statements[self.statement.index + 1:]


def track(ctx: MigrationContext) -> None:
    """Update the catalog and file state with the effect of ``ctx.statement``."""
    node, state = ctx.statement.node, ctx.state
    tx = state.transaction
    if tx is not None:
        for key, mode in lock_requests(node):
            if mode >= LockMode.SHARE and not ctx.is_new(key) and mode > tx.locked.get(key, (0, None))[0]:
                tx.locked[key] = (mode, ctx.statement)
    if isinstance(node, ast.TransactionStmt):
        _track_transaction(node, ctx)
    elif isinstance(node, ast.VariableSetStmt):
        if node.name == "lock_timeout" or node.kind == VariableSetKind.VAR_RESET_ALL:
            _set_lock_timeout(ctx, _timeout_value(node), node.is_local)
    elif isinstance(node, ast.SelectStmt):
        for call in walk(node.targetList):
            if isinstance(call, ast.FuncCall) and call.funcname[-1].sval == "set_config" and len(call.args) == 3 \
                    and string_const(call.args[0]) == "lock_timeout":
                local = getattr(call.args[2], "val", None)
                _set_lock_timeout(ctx, string_const(call.args[1]), bool(getattr(local, "boolval", False)))
    else:
        _track_schema(node, ctx)


def _track_transaction(node: ast.TransactionStmt, ctx: MigrationContext) -> None:
    kind = node.kind
    if kind in (TransactionStmtKind.TRANS_STMT_BEGIN, TransactionStmtKind.TRANS_STMT_START):
        if ctx.state.transaction is None:
            ctx.state.transaction = Transaction(ctx.statement)
    elif kind in (TransactionStmtKind.TRANS_STMT_COMMIT, TransactionStmtKind.TRANS_STMT_ROLLBACK,
                  TransactionStmtKind.TRANS_STMT_PREPARE):
        ctx.state.transaction = None


def _timeout_value(node: ast.VariableSetStmt) -> str | None:
    if node.kind != VariableSetKind.VAR_SET_VALUE or not node.args:
        return None
    arg = node.args[0]
    value = getattr(arg, "val", None)
    return str(getattr(value, "ival", None) if isinstance(value, ast.Integer) else string_const(arg))


def _set_lock_timeout(ctx: MigrationContext, value: str | None, local: bool) -> None:
    on = value is not None and value.strip().lower() not in ("0", "0s", "0ms", "none")
    if local:
        if ctx.state.transaction is not None:
            ctx.state.transaction.local_lock_timeout = on
        return
    ctx.state.lock_timeout = on
    if ctx.state.transaction is not None and not on:
        ctx.state.transaction.local_lock_timeout = False
    if not on:
        ctx.state.lock_timeout_reported = False


def _track_schema(node: Any, ctx: MigrationContext) -> None:
    relations, path = ctx.catalog.relations, ctx.file.path
    if isinstance(node, ast.CreateStmt):
        columns = {e.colname: type_ref(e.typeName) for e in node.tableElts or ()
                   if isinstance(e, ast.ColumnDef) and e.typeName is not None}
        relations[relation_key(node.relation)] = Relation(path, "table", columns)
    elif isinstance(node, ast.CreateTableAsStmt):
        kind = "view" if node.objtype == ObjectType.OBJECT_MATVIEW else "table"
        relations[relation_key(node.into.rel)] = Relation(path, kind)
    elif isinstance(node, ast.ViewStmt):
        relations.setdefault(relation_key(node.view), Relation(path, "view"))
    elif isinstance(node, ast.IndexStmt) and node.idxname:
        key = f"{node.relation.schemaname or 'public'}.{node.idxname}"
        relations[key] = Relation(path, "index", table=relation_key(node.relation))
    elif isinstance(node, ast.DropStmt):
        for names in node.objects or ():
            if isinstance(names, (list, tuple)) and all(isinstance(n, ast.String) for n in names):
                relations.pop(object_key(tuple(names)), None)
    elif isinstance(node, ast.RenameStmt) and node.relation is not None:
        _track_rename(node, ctx)
    elif isinstance(node, ast.AlterTableStmt) and node.relation is not None:
        _track_alter(node, ctx)


def _track_rename(node: ast.RenameStmt, ctx: MigrationContext) -> None:
    key = relation_key(node.relation)
    rel = ctx.catalog.relations.get(key)
    if rel is None:
        return
    if node.renameType == ObjectType.OBJECT_COLUMN and node.subname in rel.columns:
        rel.columns[node.newname] = rel.columns.pop(node.subname)
    elif node.renameType in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW,
                             ObjectType.OBJECT_INDEX):
        new_key = f"{node.relation.schemaname or 'public'}.{node.newname}"
        ctx.catalog.relations[new_key] = ctx.catalog.relations.pop(key)
        for other in ctx.catalog.relations.values():
            if other.table == key:
                other.table = new_key


def _track_alter(node: ast.AlterTableStmt, ctx: MigrationContext) -> None:
    table = relation_key(node.relation)
    rel = ctx.catalog.relations.get(table)
    tx = ctx.state.transaction
    for cmd in alter_commands(node):
        if rel is not None and cmd.subtype == AT.AT_AddColumn and cmd.def_.typeName is not None:
            rel.columns[cmd.def_.colname] = type_ref(cmd.def_.typeName)
        elif rel is not None and cmd.subtype == AT.AT_AlterColumnType:
            rel.columns[cmd.name] = type_ref(cmd.def_.typeName)
        elif rel is not None and cmd.subtype == AT.AT_DropColumn:
            rel.columns.pop(cmd.name, None)
        elif cmd.subtype == AT.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
            con = cmd.def_
            column = not_null_check_column(con)
            if con.conname and column:
                ctx.catalog.not_null_checks[(table, con.conname)] = column
            if con.conname and not con.skip_validation:
                ctx.catalog.validated.add((table, con.conname))
            elif con.conname and tx is not None:
                tx.not_valid.add((table, con.conname))
        elif cmd.subtype == AT.AT_ValidateConstraint:
            ctx.catalog.validated.add((table, cmd.name))


def not_null_check_column(con: ast.Constraint) -> str | None:
    """The column of ``CHECK (col IS NOT NULL)`` or of a PostgreSQL 18 ``NOT NULL col`` constraint."""
    if con.contype == ConstrType.CONSTR_NOTNULL and con.keys:
        return con.keys[0].sval
    expr = con.raw_expr if con.contype == ConstrType.CONSTR_CHECK else None
    if isinstance(expr, ast.NullTest) and expr.nulltesttype == NullTestType.IS_NOT_NULL \
            and isinstance(expr.arg, ast.ColumnRef):
        fields = expr.arg.fields
        return fields[-1].sval if isinstance(fields[-1], ast.String) else None
    return None
