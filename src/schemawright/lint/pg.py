"""PostgreSQL facts the lint rules share: names and types in pglast nodes, volatility, lock levels.

Lock levels follow the "Explicit Locking" chapter of the PostgreSQL manual (table-level lock modes)
and the lock notes on each ALTER TABLE sub-command.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType, ObjectType

from schemawright.pg_ast import walk

SERIAL_TYPES = {"smallserial": "int2", "serial2": "int2", "serial": "int4", "serial4": "int4",
                "bigserial": "int8", "serial8": "int8"}
_DISPLAY = {"int2": "smallint", "int4": "integer", "int8": "bigint", "bpchar": "char", "varchar": "varchar",
            "bool": "boolean", "float4": "real", "float8": "double precision"}
NAMEDATALEN = 63  # longest identifier, in bytes; longer ones are silently truncated


class LockMode(IntEnum):
    """Table-level lock modes, weakest first."""

    ACCESS_SHARE = 1
    ROW_SHARE = 2
    ROW_EXCLUSIVE = 3
    SHARE_UPDATE_EXCLUSIVE = 4
    SHARE = 5
    SHARE_ROW_EXCLUSIVE = 6
    EXCLUSIVE = 7
    ACCESS_EXCLUSIVE = 8

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    @property
    def with_article(self) -> str:
        return ("an " if self.label.startswith(("A", "E")) else "a ") + self.label

    @property
    def blocks(self) -> str:
        if self is LockMode.ACCESS_EXCLUSIVE:
            return "reads and writes"
        return "writes" if self >= LockMode.SHARE else "other schema changes"


def relation_key(rv: ast.RangeVar) -> str:
    """``schema.name`` of a relation; unqualified names are taken to be in ``public``."""
    return f"{rv.schemaname or 'public'}.{rv.relname}"


def object_key(names: tuple) -> str:
    """``schema.name`` of an object named by a list of String nodes (DROP INDEX a.b, ...)."""
    parts = [n.sval for n in names]
    return ".".join(parts) if len(parts) > 1 else f"public.{parts[0]}"


def display(rv: ast.RangeVar) -> str:
    return f"{rv.schemaname}.{rv.relname}" if rv.schemaname else rv.relname


@dataclass(frozen=True)
class TypeRef:
    """A column type as written: ``base`` is the catalog name (``int4``, ``varchar``, ``timestamptz``)."""

    base: str
    mods: tuple[int | None, ...] = ()
    array: bool = False
    builtin: bool = True  # False for a schema-qualified user type

    def __str__(self) -> str:
        text = _DISPLAY.get(self.base, self.base)
        if self.mods:
            text += "(" + ", ".join("?" if m is None else str(m) for m in self.mods) + ")"
        return text + ("[]" if self.array else "")

    def is_(self, *bases: str) -> bool:
        return self.builtin and self.base in bases

    @property
    def integer_base(self) -> str | None:
        """``int2``/``int4``/``int8`` for integer and serial types, else None."""
        if not self.builtin:
            return None
        base = SERIAL_TYPES.get(self.base, self.base)
        return base if base in ("int2", "int4", "int8") else None


def type_ref(tn: ast.TypeName) -> TypeRef:
    names = [n.sval for n in tn.names]
    builtin = len(names) == 1 or names[0] == "pg_catalog"
    mods = tuple(_int_const(m) for m in tn.typmods or ())
    return TypeRef(names[-1], mods, bool(tn.arrayBounds), builtin)


def _int_const(node: Any) -> int | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
        return node.val.ival
    return None


def string_const(node: Any) -> str | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return node.val.sval
    return None


def alter_commands(stmt: ast.AlterTableStmt, *subtypes: AT) -> Iterator[ast.AlterTableCmd]:
    """The ALTER TABLE sub-commands of the given kinds (all when none are given)."""
    if stmt.objtype not in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_FOREIGN_TABLE):
        return
    for cmd in stmt.cmds or ():
        if not subtypes or cmd.subtype in subtypes:
            yield cmd


def column_constraints(col: ast.ColumnDef, *kinds: ConstrType) -> list[ast.Constraint]:
    return [c for c in col.constraints or () if c.contype in kinds]


def added_constraints(stmt: ast.AlterTableStmt, *kinds: ConstrType) -> Iterator[tuple[ast.Constraint, Any]]:
    """Constraints an ALTER TABLE adds, table-level or inline in ADD COLUMN: (constraint, node to point at)."""
    for cmd in alter_commands(stmt, AT.AT_AddConstraint, AT.AT_AddColumn):
        if isinstance(cmd.def_, ast.Constraint) and cmd.def_.contype in kinds:
            yield cmd.def_, cmd.def_
        elif isinstance(cmd.def_, ast.ColumnDef):
            for con in column_constraints(cmd.def_, *kinds):
                yield con, cmd.def_


def column_default(col: ast.ColumnDef) -> Any:
    for con in column_constraints(col, ConstrType.CONSTR_DEFAULT):
        return con.raw_expr
    return col.raw_default


# Functions whose result differs per row: a DEFAULT calling one makes ADD COLUMN rewrite the table.
VOLATILE_FUNCTIONS = frozenset({
    "random", "random_normal", "setseed", "gen_random_uuid", "uuidv4", "uuidv7", "uuid_generate_v1",
    "uuid_generate_v1mc", "uuid_generate_v4", "gen_random_bytes", "clock_timestamp", "timeofday",
    "nextval", "txid_current", "pg_current_xact_id",
})
# Stable or immutable functions commonly used in defaults (evaluated once for ADD COLUMN).
NON_VOLATILE_FUNCTIONS = frozenset({
    "now", "statement_timestamp", "transaction_timestamp", "current_setting", "lower", "upper", "trim",
    "concat", "coalesce", "to_jsonb", "jsonb_build_object", "jsonb_build_array", "json_build_object",
    "array_fill", "make_interval", "make_date", "to_timestamp", "date_trunc", "length", "abs", "round",
})

_NO_ARGUMENTS = frozenset({"now", "statement_timestamp", "transaction_timestamp"})


def volatile_call(expr: Any) -> str | None:
    """The name of the first function in ``expr`` that is volatile or not known to be stable."""
    for node in walk(expr):
        if isinstance(node, ast.FuncCall):
            name = node.funcname[-1].sval
            known = name in NON_VOLATILE_FUNCTIONS and not (name in _NO_ARGUMENTS and node.args)
            if name in VOLATILE_FUNCTIONS or not known:
                return name
    return None


def lock_requests(stmt: Any) -> list[tuple[str, LockMode]]:
    """The table-level locks a statement takes: ``(relation key, mode)``; index keys for DROP INDEX."""
    if isinstance(stmt, ast.AlterTableStmt) and stmt.relation is not None:
        modes = [_alter_lock(cmd) for cmd in stmt.cmds or ()]
        locks = [(relation_key(stmt.relation), max(modes, default=LockMode.ACCESS_EXCLUSIVE))]
        for con, _ in added_constraints(stmt, ConstrType.CONSTR_FOREIGN):
            locks.append((relation_key(con.pktable), LockMode.SHARE_ROW_EXCLUSIVE))
        return locks
    if isinstance(stmt, ast.IndexStmt):
        mode = LockMode.SHARE_UPDATE_EXCLUSIVE if stmt.concurrent else LockMode.SHARE
        return [(relation_key(stmt.relation), mode)]
    if isinstance(stmt, ast.CreateStmt):
        created = relation_key(stmt.relation)  # a self-reference locks nothing that exists yet
        return [(key, LockMode.SHARE_ROW_EXCLUSIVE) for key in (relation_key(c.pktable)
                for c in _create_foreign_keys(stmt)) if key != created]
    if isinstance(stmt, ast.DropStmt) and stmt.removeType in _DROPPED_RELATIONS:
        mode = LockMode.SHARE_UPDATE_EXCLUSIVE if stmt.concurrent else LockMode.ACCESS_EXCLUSIVE
        return [(object_key(names), mode) for names in stmt.objects]
    if isinstance(stmt, ast.RenameStmt) and stmt.relation is not None:
        return [(relation_key(stmt.relation), LockMode.ACCESS_EXCLUSIVE)]
    if isinstance(stmt, ast.TruncateStmt):
        return [(relation_key(rv), LockMode.ACCESS_EXCLUSIVE) for rv in stmt.relations]
    if isinstance(stmt, ast.CreateTrigStmt):
        return [(relation_key(stmt.relation), LockMode.SHARE_ROW_EXCLUSIVE)]
    if isinstance(stmt, ast.ReindexStmt) and stmt.relation is not None:
        mode = LockMode.SHARE_UPDATE_EXCLUSIVE if has_option(stmt.params, "concurrently") else LockMode.SHARE
        return [(relation_key(stmt.relation), mode)]
    if isinstance(stmt, ast.ClusterStmt) and stmt.relation is not None:
        return [(relation_key(stmt.relation), LockMode.ACCESS_EXCLUSIVE)]
    if isinstance(stmt, ast.VacuumStmt) and stmt.is_vacuumcmd and has_option(stmt.options, "full"):
        return [(relation_key(r.relation), LockMode.ACCESS_EXCLUSIVE) for r in stmt.rels or () if r.relation]
    if isinstance(stmt, ast.RefreshMatViewStmt):
        mode = LockMode.EXCLUSIVE if stmt.concurrent else LockMode.ACCESS_EXCLUSIVE
        return [(relation_key(stmt.relation), mode)]
    if isinstance(stmt, ast.LockStmt):
        return [(relation_key(rv), LockMode(stmt.mode)) for rv in stmt.relations]
    if isinstance(stmt, ast.CreatePolicyStmt):
        return [(relation_key(stmt.table), LockMode.ACCESS_EXCLUSIVE)]
    return []


_DROPPED_RELATIONS = (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_INDEX, ObjectType.OBJECT_VIEW,
                      ObjectType.OBJECT_MATVIEW, ObjectType.OBJECT_FOREIGN_TABLE)
_WEAK_ALTERS = {
    AT.AT_ValidateConstraint: LockMode.SHARE_UPDATE_EXCLUSIVE, AT.AT_SetStatistics: LockMode.SHARE_UPDATE_EXCLUSIVE,
    AT.AT_SetOptions: LockMode.SHARE_UPDATE_EXCLUSIVE, AT.AT_ResetOptions: LockMode.SHARE_UPDATE_EXCLUSIVE,
    AT.AT_ClusterOn: LockMode.SHARE_UPDATE_EXCLUSIVE, AT.AT_DropCluster: LockMode.SHARE_UPDATE_EXCLUSIVE,
    AT.AT_SetRelOptions: LockMode.SHARE_UPDATE_EXCLUSIVE, AT.AT_ResetRelOptions: LockMode.SHARE_UPDATE_EXCLUSIVE,
    AT.AT_AttachPartition: LockMode.SHARE_UPDATE_EXCLUSIVE,
    **{t: LockMode.SHARE_ROW_EXCLUSIVE for t in (
        AT.AT_EnableTrig, AT.AT_EnableAlwaysTrig, AT.AT_EnableReplicaTrig, AT.AT_DisableTrig, AT.AT_EnableTrigAll,
        AT.AT_DisableTrigAll, AT.AT_EnableTrigUser, AT.AT_DisableTrigUser)},
}


def _alter_lock(cmd: ast.AlterTableCmd) -> LockMode:
    if cmd.subtype == AT.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
        if cmd.def_.contype == ConstrType.CONSTR_FOREIGN:
            return LockMode.SHARE_ROW_EXCLUSIVE
    if cmd.subtype == AT.AT_DetachPartition and getattr(cmd.def_, "concurrent", False):
        return LockMode.SHARE_UPDATE_EXCLUSIVE
    return _WEAK_ALTERS.get(cmd.subtype, LockMode.ACCESS_EXCLUSIVE)


def _create_foreign_keys(stmt: ast.CreateStmt) -> Iterator[ast.Constraint]:
    for elt in stmt.tableElts or ():
        if isinstance(elt, ast.Constraint) and elt.contype == ConstrType.CONSTR_FOREIGN:
            yield elt
        elif isinstance(elt, ast.ColumnDef):
            yield from column_constraints(elt, ConstrType.CONSTR_FOREIGN)


def has_option(options: Any, name: str) -> bool:
    """Whether a ``(NAME [value])`` option list turns ``name`` on (``VACUUM (FULL false)`` does not)."""
    for opt in options or ():
        if isinstance(opt, ast.DefElem) and opt.defname == name:
            arg = opt.arg
            if isinstance(arg, ast.Integer):
                return arg.ival != 0
            if isinstance(arg, ast.Boolean):
                return bool(arg.boolval)
            return arg is None or str(getattr(arg, "sval", arg)).lower() not in ("false", "off", "no")
    return False


def column_types(node: Any) -> Iterator[tuple[str, TypeRef, Any]]:
    """``(column, type, node to point at)`` for each column a CREATE TABLE or ALTER TABLE defines or retypes."""
    if isinstance(node, ast.CreateStmt):
        for elt in node.tableElts or ():
            if isinstance(elt, ast.ColumnDef) and elt.typeName is not None:
                yield elt.colname, type_ref(elt.typeName), elt
    elif isinstance(node, ast.AlterTableStmt):
        for cmd in alter_commands(node, AT.AT_AddColumn, AT.AT_AlterColumnType):
            col = cmd.def_
            if col.typeName is not None:
                yield col.colname or cmd.name, type_ref(col.typeName), col if col.colname else col.typeName


def type_change(old: TypeRef, new: TypeRef) -> str:
    """How ALTER COLUMN TYPE from ``old`` to ``new`` behaves: ``same``, ``widening`` (binary-coercible, no
    rewrite), ``narrowing`` (a shorter character limit: every row is checked and may fail) or ``rewrite``."""
    if old == new:
        return "same"
    if old.array != new.array or not (old.builtin and new.builtin):
        return "rewrite"
    chars = ("varchar", "text", "bpchar")
    if old.base in chars and new.base in ("varchar", "bpchar") and new.mods:
        old_limit = old.mods[0] if old.mods and old.base != "text" else None
        if old_limit is None or (new.mods[0] is not None and new.mods[0] < old_limit):
            return "narrowing"
    if old.base in ("varchar", "text") and new.base in ("varchar", "text"):
        return "widening"  # longer or no limit (a shorter one is narrowing, above)
    if old.base == new.base == "numeric":
        if not new.mods or (len(old.mods) == 2 and len(new.mods) == 2 and old.mods[1] == new.mods[1]
                            and None not in old.mods + new.mods and new.mods[0] >= old.mods[0]):
            return "widening"
    if old.base == new.base == "varbit" and (not new.mods or (old.mods and new.mods[0] >= old.mods[0])):
        return "widening"
    if (old.base, new.base) == ("cidr", "inet"):
        return "widening"
    return "rewrite"
