"""The change vocabulary of a schema diff: one frozen dataclass per kind of change, each with its
inverse (``reverse()``) and, when applying it destroys data, a ``data_loss`` note.

Naming rule: a plan runs its table and column renames first (forward) or last (undo), so every other
change names tables and columns as they are named after the renames of the forward plan. A change and
its reverse therefore use the same names, and ``reverse()`` never needs a name map.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemawright.model.facts import KEY_SETTING
from schemawright.model.schema import (
    Aggregate, CheckConstraint, Column, CompositeType, DefaultPrivilege, DomainType, EnumType, Sequence, Expression, ForeignKey, Function, Grant, Index, Policy,
    PrimaryKey, Role, Table, Trigger, UniqueConstraint, View,
)
from schemawright.model.types import TEXT_KINDS, DataType, Kind

Constraint = PrimaryKey | UniqueConstraint | CheckConstraint


def _label(schema: str, *names: str) -> str:
    return ".".join((schema, *names))


@dataclass(frozen=True)
class Change:
    """Base of every change. ``data_loss`` says what applying it destroys (None: nothing)."""

    def reverse(self) -> Change:
        raise NotImplementedError

    @property
    def data_loss(self) -> str | None:
        return None

    @property
    def loss_table(self) -> tuple[str, str] | None:
        """(schema, table) whose rows the data loss concerns, for row counts."""
        return None


@dataclass(frozen=True)
class Access:
    """The privileges an object must have once created: default privileges handed out to
    ``revoke_from`` are taken back, then ``grants`` are made (the model's own list)."""

    grants: tuple[Grant, ...] = ()
    revoke_from: tuple[str, ...] = ()


# --- schemas, extensions, enums --------------------------------------------------------------------

@dataclass(frozen=True)
class CreateSchema(Change):
    name: str

    def reverse(self) -> Change:
        return DropSchema(self.name)


@dataclass(frozen=True)
class DropSchema(Change):
    name: str

    def reverse(self) -> Change:
        return CreateSchema(self.name)


@dataclass(frozen=True)
class AddExtension(Change):
    name: str

    def reverse(self) -> Change:
        return DropExtension(self.name)


@dataclass(frozen=True)
class DropExtension(Change):
    name: str

    def reverse(self) -> Change:
        return AddExtension(self.name)


@dataclass(frozen=True)
class AddEnum(Change):
    enum: EnumType

    def reverse(self) -> Change:
        return DropEnum(self.enum)


@dataclass(frozen=True)
class DropEnum(Change):
    enum: EnumType

    def reverse(self) -> Change:
        return AddEnum(self.enum)


@dataclass(frozen=True)
class AddCompositeType(Change):
    type: CompositeType

    def reverse(self) -> Change:
        return DropCompositeType(self.type)


@dataclass(frozen=True)
class DropCompositeType(Change):
    type: CompositeType

    def reverse(self) -> Change:
        return AddCompositeType(self.type)


@dataclass(frozen=True)
class AlterCompositeType(Change):
    """ALTER TYPE ... DROP / ALTER / ADD ATTRIBUTE (and its comment), in place."""

    old: CompositeType
    new: CompositeType

    def reverse(self) -> Change:
        return AlterCompositeType(self.new, self.old)

    @property
    def data_loss(self) -> str | None:
        gone = [a for a, _ in self.old.attributes if a not in dict(self.new.attributes)]
        return f"drops attribute(s) {', '.join(gone)} of type {_label(self.old.schema, self.old.name)}" if gone else None


@dataclass(frozen=True)
class RenameEnum(Change):
    """An enum type renamed with the table it was named after (same labels): a rename, never a conversion."""

    schema: str
    old: str
    new: str

    def reverse(self) -> Change:
        return RenameEnum(self.schema, self.new, self.old)


@dataclass(frozen=True)
class SetLogged(Change):
    """ALTER TABLE ... SET LOGGED / SET UNLOGGED (rewrites the table)."""

    schema: str
    table: str
    unlogged: bool

    def reverse(self) -> Change:
        return SetLogged(self.schema, self.table, not self.unlogged)


@dataclass(frozen=True)
class AttachPartition(Change):
    """ALTER TABLE parent ATTACH PARTITION table bound (PostgreSQL scans the table for rows outside the bound)."""

    schema: str
    parent: str
    table: str
    bound: str
    # the parent's DEFAULT partition may hold rows of this partition's bound, which ATTACH refuses: (its name, the
    # parent's partition key), for the dialect to count them
    default_rows: tuple[str, tuple[str, ...]] | None = None

    def reverse(self) -> Change:
        return DetachPartition(self.schema, self.parent, self.table, self.bound)


@dataclass(frozen=True)
class DetachPartition(Change):
    """ALTER TABLE parent DETACH PARTITION table: the table and its rows stay, as a table of its own. The keys,
    indexes and checks it had from its parent stay on it too: those not in ``own`` (the names of its own) are
    dropped, the diff adds what the table has afterwards."""

    schema: str
    parent: str
    table: str
    bound: str
    own: tuple[str, ...] = ()

    def reverse(self) -> Change:
        return AttachPartition(self.schema, self.parent, self.table, self.bound)


@dataclass(frozen=True)
class SetInherit(Change):
    """ALTER TABLE ... INHERIT parent (``inherit``) / NO INHERIT parent: the columns stay."""

    schema: str
    table: str
    parent: str
    inherit: bool
    # a parent swap (INHERIT the new parents, then NO INHERIT the old ones, as the tables stand before the
    # columns change): the columns both hand down stay inherited, not the child's own; ``swap_back``: the same
    # holds for the undo
    swap: bool = False
    swap_back: bool = False

    def reverse(self) -> Change:
        return SetInherit(self.schema, self.table, self.parent, not self.inherit, self.swap_back, self.swap)


@dataclass(frozen=True)
class AddRule(Change):
    """CREATE RULE on a table (``definition``: the whole statement, as PostgreSQL prints it)."""

    schema: str
    table: str
    name: str
    definition: str

    def reverse(self) -> Change:
        return DropRule(self.schema, self.table, self.name, self.definition)


@dataclass(frozen=True)
class DropRule(Change):
    schema: str
    table: str
    name: str
    definition: str

    def reverse(self) -> Change:
        return AddRule(self.schema, self.table, self.name, self.definition)


@dataclass(frozen=True)
class SetCluster(Change):
    """ALTER TABLE ... CLUSTER ON index / SET WITHOUT CLUSTER (the mark CLUSTER uses; no data moves)."""

    schema: str
    table: str
    old: str | None
    new: str | None

    def reverse(self) -> Change:
        return SetCluster(self.schema, self.table, self.new, self.old)


@dataclass(frozen=True)
class AddSequence(Change):
    sequence: Sequence

    def reverse(self) -> Change:
        return DropSequence(self.sequence)


@dataclass(frozen=True)
class DropSequence(Change):
    sequence: Sequence

    def reverse(self) -> Change:
        return AddSequence(self.sequence)


@dataclass(frozen=True)
class AlterSequence(Change):
    """Options (type, start, increment, bounds, cache, cycle) and OWNED BY changed."""

    old: Sequence
    new: Sequence

    def reverse(self) -> Change:
        return AlterSequence(self.new, self.old)


@dataclass(frozen=True)
class AddDomain(Change):
    domain: DomainType

    def reverse(self) -> Change:
        return DropDomain(self.domain)


@dataclass(frozen=True)
class DropDomain(Change):
    domain: DomainType

    def reverse(self) -> Change:
        return AddDomain(self.domain)


@dataclass(frozen=True)
class AlterDomain(Change):
    """Default, NOT NULL and CHECK constraints changed in place (the base type is the same)."""

    old: DomainType
    new: DomainType

    def reverse(self) -> Change:
        return AlterDomain(self.new, self.old)


@dataclass(frozen=True)
class EnumUse:
    """A column holding an enum, as it is before the change (its default is re-set after a recreate)."""

    schema: str
    table: str
    column: str
    default: Expression | None
    array_dims: int = 0


@dataclass(frozen=True)
class AlterEnum(Change):
    """New labels only (``ADD VALUE``), or anything else by recreating the type and converting its
    columns (``uses``; ``reverse_uses`` is the same list for the reverse change). ``views`` read those
    columns or the type and are rebuilt around a recreate."""

    old: EnumType
    new: EnumType
    uses: tuple[EnumUse, ...] = ()
    reverse_uses: tuple[EnumUse, ...] = ()
    views: tuple[View, ...] = ()
    view_access: tuple[Access, ...] = ()  # per view: the privileges it has in both models

    @property
    def adds_only(self) -> bool:
        """True when the old labels keep their order in the new list (so ADD VALUE suffices)."""
        kept = [v for v in self.new.values if v in self.old.values]
        return tuple(kept) == self.old.values

    def reverse(self) -> Change:
        return AlterEnum(self.new, self.old, self.reverse_uses, self.uses, self.views, self.view_access)

    @property
    def data_loss(self) -> str | None:
        removed = [v for v in self.old.values if v not in self.new.values]
        if not removed:
            return None
        return (f"enum {_label(self.old.schema, self.old.name)} loses label(s) {', '.join(removed)}: rows holding "
                "them make the conversion fail")


# --- tables and columns --------------------------------------------------------------------------

@dataclass(frozen=True)
class AddTable(Change):
    """A new table with everything on it (constraints, foreign keys, indexes, triggers, comments)."""

    table: Table
    access: Access = Access()
    # INHERITS: the columns and checks it gets from its parents as they are (its CREATE TABLE leaves them out)
    inherited_columns: tuple[str, ...] = ()
    inherited_checks: tuple[str, ...] = ()
    # ... and of those, the ones whose default differs from the parent's: (column, its default or None)
    inherited_defaults: tuple[tuple[str, str | None], ...] = ()
    default_rows: tuple[str, tuple[str, ...]] | None = None  # a new partition beside a DEFAULT one: see AttachPartition

    def reverse(self) -> Change:
        return DropTable(self.table, self.access)


@dataclass(frozen=True)
class DropTable(Change):
    table: Table
    access: Access = Access()

    def reverse(self) -> Change:
        return AddTable(self.table, self.access)

    @property
    def data_loss(self) -> str | None:
        return f"drops table {_label(self.table.schema, self.table.name)} and all its rows"

    @property
    def loss_table(self) -> tuple[str, str] | None:
        return (self.table.schema, self.table.name)


@dataclass(frozen=True)
class RenameTable(Change):
    schema: str
    old: str
    new: str

    def reverse(self) -> Change:
        return RenameTable(self.schema, self.new, self.old)


@dataclass(frozen=True)
class AddColumn(Change):
    schema: str
    table: str
    column: Column

    def reverse(self) -> Change:
        return DropColumn(self.schema, self.table, self.column)


@dataclass(frozen=True)
class DropColumn(Change):
    schema: str
    table: str
    column: Column

    def reverse(self) -> Change:
        return AddColumn(self.schema, self.table, self.column)

    @property
    def data_loss(self) -> str | None:
        if self.column.generated is not None:
            return None  # computed from other columns: nothing is lost
        return f"drops column {_label(self.schema, self.table, self.column.name)} and its values"

    @property
    def loss_table(self) -> tuple[str, str] | None:
        return (self.schema, self.table)


@dataclass(frozen=True)
class RenameColumn(Change):
    schema: str
    table: str
    old: str
    new: str

    def reverse(self) -> Change:
        return RenameColumn(self.schema, self.table, self.new, self.old)


@dataclass(frozen=True)
class AlterColumn(Change):
    """A column whose type, nullability, default, identity or generation expression changes
    (``changed`` lists which). ``partitioned``: the table is partitioned (no NOT VALID tricks).
    Constraints and indexes on a column whose generation changes are rebuilt by separate changes."""

    schema: str
    table: str
    old: Column
    new: Column
    changed: tuple[str, ...]
    partitioned: bool = False

    def reverse(self) -> Change:
        return AlterColumn(self.schema, self.table, self.new, self.old, self.changed, self.partitioned)

    @property
    def rebuilds(self) -> bool:
        """A new generation expression: no ALTER does that, the column is dropped and added again."""
        return "generated" in self.changed and self.new.generated is not None

    @property
    def encryption(self) -> str | None:
        """``"encrypt"`` or ``"decrypt"`` when the type change turns the values into pgcrypto ciphertext or
        back (a data migration with the session's key, never a cast); None otherwise."""
        if "type" not in self.changed or self.rebuilds:
            return None
        before, after = encrypted(self.old), encrypted(self.new)
        return "encrypt" if after and not before else "decrypt" if before and not after else None

    @property
    def data_loss(self) -> str | None:
        label = _label(self.schema, self.table, self.new.name)
        key = (f"set {KEY_SETTING} in the migration's session (for example PGOPTIONS='-c {KEY_SETTING}=...'); "
               "without it the migration stops before it changes anything")
        if self.encryption == "decrypt":
            return (f"decrypts column {label} into {self.new.type} with pgp_sym_decrypt: the values are stored in "
                    f"clear text from then on. It needs the key: {key}")
        if self.encryption == "encrypt":
            return (f"encrypts column {label} with pgp_sym_encrypt: from then on the values are readable only "
                    f"with the key, and lost with it. It needs the key: {key}")
        if "type" in self.changed and self.old.type.kind == Kind.BYTEA and self.new.type.kind in TEXT_KINDS:
            return (f"converts bytea column {label} to {self.new.type}: each value becomes its hex text, not the "
                    "text it may encode; if it holds ciphertext, diff from the task input or design folder, which "
                    "know the column is encrypted, so that it is decrypted instead")
        if self.rebuilds:
            if self.old.generated is None:
                return (f"replaces the values of column {_label(self.schema, self.table, self.new.name)} "
                        "by a generation expression")
            return None
        if "type" in self.changed and narrowing(self.old.type, self.new.type):
            return (f"narrows column {_label(self.schema, self.table, self.new.name)} from {self.old.type} to "
                    f"{self.new.type}: values that do not fit fail the conversion or lose precision")
        return None

    @property
    def loss_table(self) -> tuple[str, str] | None:
        return (self.schema, self.table)


# --- constraints, indexes, triggers --------------------------------------------------------------

@dataclass(frozen=True)
class AddConstraint(Change):
    """A primary key, unique or check constraint on an existing table."""

    schema: str
    table: str
    constraint: Constraint
    partitioned: bool = False

    def reverse(self) -> Change:
        return DropConstraint(self.schema, self.table, self.constraint, self.partitioned)


@dataclass(frozen=True)
class DropConstraint(Change):
    schema: str
    table: str
    constraint: Constraint
    partitioned: bool = False

    def reverse(self) -> Change:
        return AddConstraint(self.schema, self.table, self.constraint, self.partitioned)


@dataclass(frozen=True)
class RenameConstraint(Change):
    schema: str
    table: str
    old: str
    new: str

    def reverse(self) -> Change:
        return RenameConstraint(self.schema, self.table, self.new, self.old)


@dataclass(frozen=True)
class AddForeignKey(Change):
    schema: str
    table: str
    foreign_key: ForeignKey
    partitioned: bool = False

    def reverse(self) -> Change:
        return DropForeignKey(self.schema, self.table, self.foreign_key, self.partitioned)


@dataclass(frozen=True)
class DropForeignKey(Change):
    schema: str
    table: str
    foreign_key: ForeignKey
    partitioned: bool = False

    def reverse(self) -> Change:
        return AddForeignKey(self.schema, self.table, self.foreign_key, self.partitioned)


@dataclass(frozen=True)
class AddIndex(Change):
    schema: str
    table: str
    index: Index
    partitioned: bool = False

    def reverse(self) -> Change:
        return DropIndex(self.schema, self.table, self.index, self.partitioned)


@dataclass(frozen=True)
class DropIndex(Change):
    schema: str
    table: str
    index: Index
    partitioned: bool = False

    def reverse(self) -> Change:
        return AddIndex(self.schema, self.table, self.index, self.partitioned)


@dataclass(frozen=True)
class RenameIndex(Change):
    schema: str
    old: str
    new: str

    def reverse(self) -> Change:
        return RenameIndex(self.schema, self.new, self.old)


@dataclass(frozen=True)
class AddTrigger(Change):
    schema: str
    table: str
    trigger: Trigger

    def reverse(self) -> Change:
        return DropTrigger(self.schema, self.table, self.trigger)


@dataclass(frozen=True)
class DropTrigger(Change):
    schema: str
    table: str
    trigger: Trigger

    def reverse(self) -> Change:
        return AddTrigger(self.schema, self.table, self.trigger)


@dataclass(frozen=True)
class RenameTrigger(Change):
    schema: str
    table: str
    old: str
    new: str

    def reverse(self) -> Change:
        return RenameTrigger(self.schema, self.table, self.new, self.old)


# --- views, functions, comments ------------------------------------------------------------------

@dataclass(frozen=True)
class AddView(Change):
    view: View
    access: Access = Access()

    def reverse(self) -> Change:
        return DropView(self.view, self.access)


@dataclass(frozen=True)
class DropView(Change):
    view: View
    access: Access = Access()

    def reverse(self) -> Change:
        return AddView(self.view, self.access)


@dataclass(frozen=True)
class AddFunction(Change):
    function: Function
    access: Access = Access()

    def reverse(self) -> Change:
        return DropFunction(self.function, self.access)


@dataclass(frozen=True)
class DropFunction(Change):
    function: Function
    access: Access = Access()

    def reverse(self) -> Change:
        return AddFunction(self.function, self.access)


@dataclass(frozen=True)
class AddAggregate(Change):
    aggregate: Aggregate

    def reverse(self) -> Change:
        return DropAggregate(self.aggregate)


@dataclass(frozen=True)
class DropAggregate(Change):
    aggregate: Aggregate

    def reverse(self) -> Change:
        return AddAggregate(self.aggregate)


@dataclass(frozen=True)
class ReplaceFunction(Change):
    """Same name and argument types, new definition. ``in_place``: CREATE OR REPLACE can do it (same
    result type and argument names); otherwise the function is dropped and created again, with the
    privileges of ``access`` (``reverse_access`` for the reverse change)."""

    old: Function
    new: Function
    in_place: bool = True
    access: Access = Access()
    reverse_access: Access = Access()

    def reverse(self) -> Change:
        return ReplaceFunction(self.new, self.old, self.in_place, self.reverse_access, self.access)


@dataclass(frozen=True)
class SetComment(Change):
    """COMMENT ON an existing object. ``kind``: table, column, view, materialized view, function, type,
    index, constraint or trigger; ``parent``: the table (column, constraint, trigger) or the argument
    types (function)."""

    kind: str
    schema: str
    name: str
    old: str | None
    new: str | None
    parent: str | None = None

    def reverse(self) -> Change:
        return SetComment(self.kind, self.schema, self.name, self.new, self.old, self.parent)


# --- security: roles, ownership, privileges, row-level security ----------------------------------

@dataclass(frozen=True)
class AddRole(Change):
    """A role (cluster-wide: created unless it exists; dropped only when nothing uses it any more)."""

    role: Role

    def reverse(self) -> Change:
        return DropRole(self.role)


@dataclass(frozen=True)
class DropRole(Change):
    role: Role

    def reverse(self) -> Change:
        return AddRole(self.role)


@dataclass(frozen=True)
class AlterRole(Change):
    """LOGIN and role memberships."""

    old: Role
    new: Role

    def reverse(self) -> Change:
        return AlterRole(self.new, self.old)


@dataclass(frozen=True)
class OwnedObject:
    """An object whose owner changes: ``kind`` as ALTER spells it (TABLE, VIEW, MATERIALIZED VIEW,
    FUNCTION, TYPE); ``arguments``: a function's argument types."""

    kind: str
    schema: str
    name: str
    arguments: str | None = None


@dataclass(frozen=True)
class ChangeOwner(Change):
    """ALTER ... OWNER TO for the objects kept from the old schema."""

    old: str
    new: str
    objects: tuple[OwnedObject, ...]

    def reverse(self) -> Change:
        return ChangeOwner(self.new, self.old, self.objects)


@dataclass(frozen=True)
class OwnCreated(Change):
    """ALTER ... OWNER TO for objects the migration creates, when they belong to another role than the one
    that runs it (a schema whose objects have several owners). The undo drops them: nothing to give back."""

    owner: str
    objects: tuple[OwnedObject, ...]

    def reverse(self) -> Change:
        return OwnCreated(self.owner, ())


@dataclass(frozen=True)
class SessionRole(Change):
    """The role the migration runs as (SET ROLE) after the superuser steps, so that what it creates
    belongs to the schema's owner; None: the connecting user."""

    old: str | None
    new: str | None

    def reverse(self) -> Change:
        return SessionRole(self.new, self.old)


@dataclass(frozen=True)
class GrantPrivileges(Change):
    """GRANT; ``arguments``: the argument types when the object is a function."""

    grant: Grant
    arguments: str | None = None

    def reverse(self) -> Change:
        return RevokePrivileges(self.grant, self.arguments)


@dataclass(frozen=True)
class RevokePrivileges(Change):
    grant: Grant
    arguments: str | None = None

    def reverse(self) -> Change:
        return GrantPrivileges(self.grant, self.arguments)


@dataclass(frozen=True)
class AddDefaultPrivilege(Change):
    privilege: DefaultPrivilege

    def reverse(self) -> Change:
        return DropDefaultPrivilege(self.privilege)


@dataclass(frozen=True)
class DropDefaultPrivilege(Change):
    privilege: DefaultPrivilege

    def reverse(self) -> Change:
        return AddDefaultPrivilege(self.privilege)


@dataclass(frozen=True)
class AddPolicy(Change):
    policy: Policy

    def reverse(self) -> Change:
        return DropPolicy(self.policy)


@dataclass(frozen=True)
class DropPolicy(Change):
    policy: Policy

    def reverse(self) -> Change:
        return AddPolicy(self.policy)


@dataclass(frozen=True)
class SetRowSecurity(Change):
    """ENABLE / DISABLE and FORCE / NO FORCE ROW LEVEL SECURITY on an existing table."""

    schema: str
    table: str
    old: tuple[bool, bool]  # (enabled, forced)
    new: tuple[bool, bool]

    def reverse(self) -> Change:
        return SetRowSecurity(self.schema, self.table, self.new, self.old)


# --- type conversions ----------------------------------------------------------------------------

def encrypted(column: Column) -> bool:
    """Whether a column holds pgcrypto ciphertext: marked so by the design or, read back from a catalog,
    a bytea column whose comment says so (the design writes it: "Encrypted (pgp_sym_encrypt...")."""
    if column.type.kind != Kind.BYTEA or column.type.array_dims:
        return False
    return column.encrypt or "pgp_sym_encrypt" in (column.comment or "")


_INT_RANK = {Kind.SMALLINT: 1, Kind.INTEGER: 2, Kind.BIGINT: 3}
_INT_DIGITS = {Kind.SMALLINT: 5, Kind.INTEGER: 10, Kind.BIGINT: 19}
_TIMED = {Kind.TIME, Kind.TIMETZ, Kind.TIMESTAMP, Kind.TIMESTAMPTZ, Kind.INTERVAL}
_WIDENING = {
    (Kind.REAL, Kind.DOUBLE), (Kind.SMALLINT, Kind.REAL), (Kind.SMALLINT, Kind.DOUBLE),
    (Kind.INTEGER, Kind.DOUBLE), (Kind.DATE, Kind.TIMESTAMP), (Kind.DATE, Kind.TIMESTAMPTZ),
    (Kind.TIMESTAMP, Kind.TIMESTAMPTZ), (Kind.JSON, Kind.JSONB), (Kind.CIDR, Kind.INET), (Kind.TIME, Kind.INTERVAL),
}


def narrowing(old: DataType, new: DataType) -> bool:
    """Whether converting values of type ``old`` to ``new`` can fail or lose information."""
    if old == new:
        return False
    if old.array_dims != new.array_dims:
        return True
    o, n = old.element(), new.element()
    if n.kind in (Kind.TEXT, Kind.CITEXT) or (n.kind == Kind.VARCHAR and n.length is None):
        return False  # every value has a text form
    if o.kind == n.kind:
        if o.kind in (Kind.VARCHAR, Kind.CHAR):
            return n.length is not None and (o.length is None or n.length < o.length)
        if o.kind == Kind.NUMERIC:
            return _numeric_narrowing(o.precision, o.scale, n.precision, n.scale)
        if o.kind in _TIMED:
            return n.precision is not None and (o.precision is None or n.precision < o.precision)
        return True  # enums and other named types: no known conversion
    if o.kind in _INT_RANK and n.kind in _INT_RANK:
        return _INT_RANK[n.kind] < _INT_RANK[o.kind]
    if o.kind in _INT_RANK and n.kind == Kind.NUMERIC:
        return n.precision is not None and n.precision - (n.scale or 0) < _INT_DIGITS[o.kind]
    if o.kind in TEXT_KINDS and n.kind in TEXT_KINDS:
        return n.length is not None and (o.kind == Kind.TEXT or o.length is None or n.length < o.length)
    return (o.kind, n.kind) not in _WIDENING


def _numeric_narrowing(op: int | None, os_: int | None, np_: int | None, ns: int | None) -> bool:
    if np_ is None:
        return False
    if op is None:
        return True
    os_, ns = os_ or 0, ns or 0
    return ns < os_ or np_ - ns < op - os_
