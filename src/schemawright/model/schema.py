"""The canonical schema model: the one structure every input parses into and every output reads.

Objects refer to each other by name (``ForeignKey.ref_table`` is a string), never by pointer, so the
model is a plain tree that can be compared, copied and serialised. Every object carries an
``Origin`` saying whether it was given in the input or inferred, and by which rule and why.

Expressions (CHECK bodies, defaults, index predicates) are held as ``Expression`` values whose SQL
text was produced by the expression validator (pglast deparse of a checked AST) or by the designer's
own builders; raw user text never reaches this model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from schemawright.model.facts import DesignFacts
from schemawright.model.types import DataType


class Source(StrEnum):
    """Where a model object came from."""

    INPUT = "input"  # stated in the input
    INFERRED = "inferred"  # derived by a designer rule from the input
    CONVENTION = "convention"  # added by the house conventions (audit columns, triggers...)
    DEFAULT = "default"  # a documented default filled in for missing information
    CATALOG = "catalog"  # read back from a live database


@dataclass(slots=True, kw_only=True)
class Origin:
    """Provenance of one object: the source, the rule that produced it and why."""

    source: Source = Source.INPUT
    rule: str | None = None
    reason: str | None = None
    path: str | None = None  # input path, e.g. data_model.entities[0].attributes[2]

    def to_dict(self) -> dict:
        return {k: v for k, v in (("source", str(self.source)), ("rule", self.rule),
                                   ("reason", self.reason), ("path", self.path)) if v is not None}


def given(path: str | None = None) -> Origin:
    """Origin of something stated in the input."""
    return Origin(source=Source.INPUT, path=path)


def inferred(rule: str, reason: str, path: str | None = None) -> Origin:
    """Origin of something a designer rule derived."""
    return Origin(source=Source.INFERRED, rule=rule, reason=reason, path=path)


def convention(rule: str, reason: str) -> Origin:
    """Origin of something added by the naming/template conventions."""
    return Origin(source=Source.CONVENTION, rule=rule, reason=reason)


@dataclass(slots=True, frozen=True)
class Expression:
    """A SQL expression in canonical text form (validated or built, never raw user text)."""

    sql: str

    def __str__(self) -> str:
        return self.sql


class FkAction(StrEnum):
    NO_ACTION = "NO ACTION"
    RESTRICT = "RESTRICT"
    CASCADE = "CASCADE"
    SET_NULL = "SET NULL"
    SET_DEFAULT = "SET DEFAULT"


class IndexMethod(StrEnum):
    BTREE = "btree"
    HASH = "hash"
    GIN = "gin"
    GIST = "gist"
    BRIN = "brin"
    SPGIST = "spgist"
    HNSW = "hnsw"  # pgvector's
    IVFFLAT = "ivfflat"  # pgvector's


@dataclass(slots=True, kw_only=True)
class Column:
    name: str
    type: DataType
    nullable: bool = True
    default: Expression | None = None
    identity: str | None = None  # "always" | "by default" for GENERATED ... AS IDENTITY
    identity_sequence: str | None = None  # its sequence's name when not PostgreSQL's default: "schema.name"
    # its sequence's options when one differs from PostgreSQL's default, as "START WITH 5 INCREMENT BY 1
    # MINVALUE 1 MAXVALUE 100 CACHE 1 NO CYCLE" (read from catalogs)
    identity_options: str | None = None
    generated: Expression | None = None  # GENERATED ALWAYS AS (expr) STORED
    virtual: bool = False  # the generated column is VIRTUAL (PostgreSQL 18), computed when read
    comment: str | None = None
    collation: str | None = None  # COLLATE, only when it is not the type's default
    statistics: int | None = None  # SET STATISTICS (the planner's sample size); None: the server's default
    pii: bool = False
    encrypt: bool = False
    renamed_from: str | None = None  # the column's previous name (a rename hint for schema diffs)
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class PrimaryKey:
    name: str
    columns: tuple[str, ...]
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str | None = None
    index_comment: str | None = None  # COMMENT ON INDEX of the key's own index (named as the key)
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class UniqueConstraint:
    name: str
    columns: tuple[str, ...]
    nulls_not_distinct: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str | None = None
    index_comment: str | None = None  # COMMENT ON INDEX of the key's own index (named as the key)
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class CheckConstraint:
    name: str
    expression: Expression
    columns: tuple[str, ...]  # the columns the expression reads
    comment: str | None = None
    no_inherit: bool = False  # NO INHERIT: not enforced on child tables
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    ref_schema: str | None = None  # None: same schema as the owning table
    on_delete: FkAction = FkAction.NO_ACTION
    on_update: FkAction = FkAction.NO_ACTION
    deferrable: bool = False
    initially_deferred: bool = False
    match_full: bool = False  # MATCH FULL (default MATCH SIMPLE)
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class IndexElement:
    """One key of an index: a column, or an expression, with ordering options."""

    column: str | None = None
    expression: Expression | None = None
    descending: bool = False
    nulls_first: bool | None = None  # None: the default for the direction
    opclass: str | None = None
    collation: str | None = None  # COLLATE of the key when it differs from its column's (expression's) own

    @property
    def label(self) -> str:
        return self.column if self.column is not None else str(self.expression)


@dataclass(slots=True, kw_only=True)
class Index:
    name: str
    elements: tuple[IndexElement, ...]
    unique: bool = False
    method: IndexMethod = IndexMethod.BTREE
    where: Expression | None = None
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    comment: str | None = None
    storage: tuple[str, ...] = ()  # storage parameters, "name=value" (WITH (fillfactor = 70))
    origin: Origin = field(default_factory=Origin)

    @property
    def columns(self) -> tuple[str, ...]:
        """The plain-column keys, in order (expression keys are shown by their text)."""
        return tuple(e.label for e in self.elements)


@dataclass(slots=True, kw_only=True)
class ExclusionElement:
    """One element of an exclusion constraint: a column or an expression, compared with ``operator``."""

    operator: str  # "=", "&&", ...
    column: str | None = None
    expression: Expression | None = None

    @property
    def label(self) -> str:
        return self.column if self.column is not None else str(self.expression)


@dataclass(slots=True, kw_only=True)
class ExclusionConstraint:
    """``EXCLUDE USING method (element WITH operator, ...) [WHERE (predicate)]``: no two rows whose
    elements all compare true (e.g. the same room and overlapping periods)."""

    name: str
    elements: tuple[ExclusionElement, ...]
    method: str = "gist"
    where: Expression | None = None
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str | None = None
    index_comment: str | None = None  # COMMENT ON INDEX of the constraint's own index
    origin: Origin = field(default_factory=Origin)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(e.label for e in self.elements)


@dataclass(slots=True, kw_only=True)
class Partitioning:
    """Declarative partitioning of a table (filled in by the performance designer)."""

    strategy: str  # "range" | "list" | "hash"
    columns: tuple[str, ...]
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class Trigger:
    name: str
    function: str  # name of a Function in the same schema
    timing: str  # "BEFORE" | "AFTER" | "INSTEAD OF"
    events: tuple[str, ...]  # "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE"
    for_each: str = "ROW"
    constraint: bool = False  # CREATE CONSTRAINT TRIGGER (AFTER ... FOR EACH ROW only)
    deferrable: bool = False
    initially_deferred: bool = False
    when: Expression | None = None  # WHEN (condition), over OLD/NEW
    columns: tuple[str, ...] = ()  # UPDATE OF these columns
    arguments: tuple[str, ...] = ()  # the function's arguments (string literals, as stored)
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class Table:
    name: str
    schema: str = "public"
    columns: list[Column] = field(default_factory=list)
    primary_key: PrimaryKey | None = None
    uniques: list[UniqueConstraint] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    exclusions: list[ExclusionConstraint] = field(default_factory=list)
    partitioning: Partitioning | None = None
    # A partition: CREATE TABLE ... PARTITION OF partition_of (a table of the same schema) partition_bound
    # ("FOR VALUES FROM (...) TO (...)", "FOR VALUES WITH (modulus 3, remainder 0)", "DEFAULT"). Its columns are
    # the parent's; the parent's key and indexes reach it by themselves, so it holds only its own.
    partition_of: str | None = None
    partition_bound: str | None = None
    # INHERITS (parents of the same schema): the model holds the parents' columns and checks too (as the catalog
    # shows them); the DDL spells out only the child's own
    inherits: tuple[str, ...] = ()
    # CREATE RULE statements on this table, as PostgreSQL's parser deparses them (name -> statement)
    rules: dict[str, str] = field(default_factory=dict)
    # A foreign table: CREATE FOREIGN TABLE ... SERVER foreign_server OPTIONS (foreign_options: "name=value")
    foreign_server: str | None = None
    foreign_options: tuple[str, ...] = ()
    comment: str | None = None
    kind: str = "core"  # the entity's role: core, transactional, lookup, junction, child, log...
    estimated_rows: int | None = None
    renamed_from: str | None = None  # the table's previous name (a rename hint for schema diffs)
    rls_enabled: bool = False  # ALTER TABLE ... ENABLE ROW LEVEL SECURITY
    rls_forced: bool = False  # ... FORCE ROW LEVEL SECURITY: the table owner is bound by the policies too
    unlogged: bool = False  # CREATE UNLOGGED TABLE (not crash-safe, not replicated)
    cluster_on: str | None = None  # ALTER TABLE ... CLUSTER ON this index (a key's index included)
    origin: Origin = field(default_factory=Origin)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def has_column(self, name: str) -> bool:
        return self.column(name) is not None

    def index_leading(self, columns: tuple[str, ...]) -> str | None:
        """Name of a PK, unique constraint or btree index whose leading keys are ``columns``."""
        n = len(columns)
        candidates: list[tuple[str, tuple[str, ...]]] = []
        if self.primary_key:
            candidates.append((self.primary_key.name, self.primary_key.columns))
        candidates += [(u.name, u.columns) for u in self.uniques]
        candidates += [(i.name, i.columns) for i in self.indexes
                       if i.method == IndexMethod.BTREE and i.where is None]
        for name, cols in candidates:
            if tuple(cols[:n]) == tuple(columns):
                return name
        return None


@dataclass(slots=True, kw_only=True)
class View:
    name: str
    query: str  # SELECT text built by the designer from quoted identifiers
    schema: str = "public"
    materialized: bool = False
    comment: str | None = None
    depends_on: tuple[str, ...] = ()  # table or view names
    origin: Origin = field(default_factory=Origin)
    # A materialized view's unique index (uq_<view>): REFRESH MATERIALIZED VIEW CONCURRENTLY needs one.
    unique_key: tuple[str, ...] = ()
    # Indexes declared on a materialized view (read back by inspect), and the one CLUSTER orders it by
    indexes: list[Index] = field(default_factory=list)
    cluster_on: str | None = None
    # WITH (...) of a plain view as PostgreSQL stores them ("security_barrier=true", "check_option=cascaded",
    # "security_invoker=on"), read from a catalog
    options: tuple[str, ...] = ()
    # triggers on a view (INSTEAD OF row triggers, statement triggers), read from a catalog
    triggers: list[Trigger] = field(default_factory=list)
    # COMMENT ON COLUMN of the view's columns (column name -> text), read from a catalog
    column_comments: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class Aggregate:
    """CREATE AGGREGATE name(arguments) (options): options as PostgreSQL reads them ("sfunc = f, stype = text")."""

    name: str
    schema: str = "public"
    arguments: str = ""  # e.g. "text"; "*" for count(*)-style
    options: str = ""
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class Function:
    name: str
    returns: str  # e.g. "trigger", "void", "integer"
    body: str  # the function body, as rendered between dollar quotes
    language: str = "plpgsql"
    arguments: str = ""  # e.g. "p_id uuid"
    schema: str = "public"
    volatility: str = "VOLATILE"
    security_definer: bool = False
    strict: bool = False  # RETURNS NULL ON NULL INPUT
    leakproof: bool = False
    parallel: str = "UNSAFE"  # SAFE | RESTRICTED | UNSAFE
    cost: float | None = None  # None: PostgreSQL's default (1 for C/internal, 100 otherwise)
    rows: float | None = None  # set-returning functions; None: the default 1000
    # SET clauses as "name=value" (pg_proc.proconfig); None: the design's convention (a SECURITY DEFINER
    # function gets SET search_path = pg_catalog, public, any other none)
    config: tuple[str, ...] | None = None
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)

    @property
    def settings(self) -> tuple[str, ...]:
        """The SET clauses the function carries, the design's convention applied."""
        if self.config is not None:
            return tuple(self.config)
        return ("search_path=pg_catalog, public",) if self.security_definer else ()


@dataclass(slots=True, kw_only=True)
class EnumType:
    name: str
    values: tuple[str, ...]
    schema: str = "public"
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class CompositeType:
    """CREATE TYPE name AS (attribute type, ...): read from catalogs (a task input does not carry one)."""

    name: str
    attributes: tuple[tuple[str, str], ...]  # (name, type as format_type prints it, with COLLATE if any)
    schema: str = "public"
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class Sequence:
    """CREATE SEQUENCE (a serial column's included; an identity column's own sequence is not one of these)."""

    name: str
    schema: str = "public"
    data_type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int = 1
    max_value: int = 9223372036854775807
    cache: int = 1
    cycle: bool = False
    owned_by: str | None = None  # "table.column" of the same schema: dropped with it
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True, frozen=True)
class DomainCheck:
    name: str
    expression: Expression  # reads VALUE


@dataclass(slots=True, kw_only=True)
class DomainType:
    """CREATE DOMAIN: a base type with a default, NOT NULL and named CHECKs; columns use it by name."""

    name: str
    base_type: str  # as PostgreSQL prints it (format_type): "integer", "character varying(20)"
    schema: str = "public"
    not_null: bool = False
    default: Expression | None = None
    checks: tuple[DomainCheck, ...] = ()
    collation: str | None = None  # only when it differs from the base type's
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class ForeignServer:
    """CREATE SERVER name FOREIGN DATA WRAPPER wrapper OPTIONS (...): where foreign tables read from."""

    name: str
    wrapper: str
    options: tuple[str, ...] = ()  # "name=value"
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class Role:
    """A database role (cluster-wide): a group role of privileges, or a login role."""

    name: str
    login: bool = False
    member_of: tuple[str, ...] = ()  # roles granted to this one
    purpose: str = ""  # owner | readonly | readwrite | admin | app
    password_env: str | None = None  # login roles: the environment variable that holds the password
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class Grant:
    """Privileges on one object for one role (``PUBLIC`` for everyone)."""

    grantee: str
    privileges: tuple[str, ...]  # SELECT, INSERT, UPDATE, DELETE, TRUNCATE, USAGE, CREATE, EXECUTE...
    object_type: str  # table | view | sequence | function | schema
    object_name: str  # a function by its name (schemawright designs do not overload functions)
    schema: str = "public"
    grant_option: bool = False  # WITH GRANT OPTION: the grantee may grant these privileges on
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class Policy:
    """A row-level security policy; no roles means PUBLIC (every role, the owner too when forced)."""

    name: str
    table: str
    command: str = "ALL"  # ALL | SELECT | INSERT | UPDATE | DELETE
    roles: tuple[str, ...] = ()
    using: Expression | None = None
    with_check: Expression | None = None
    permissive: bool = True
    schema: str = "public"
    comment: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True)
class DefaultPrivilege:
    """ALTER DEFAULT PRIVILEGES: privileges that objects ``owner`` creates later get automatically."""

    owner: str
    object_type: str  # tables | sequences | functions
    privileges: tuple[str, ...]
    grantee: str  # a role or PUBLIC
    revoke: bool = False  # REVOKE instead of GRANT (EXECUTE on functions from PUBLIC)
    schema: str | None = "public"  # None: every schema (the only way to revoke a built-in default)
    origin: Origin = field(default_factory=Origin)


@dataclass(slots=True, kw_only=True, frozen=True)
class ObjectOwner:
    """The owner of one object, as a catalog holds it (``Schema.object_owners``). ``kind`` as ALTER ... OWNER
    spells it (TABLE, VIEW, MATERIALIZED VIEW, SEQUENCE, FUNCTION, AGGREGATE, TYPE, DOMAIN, SCHEMA);
    ``arguments``: a function's or aggregate's identity arguments."""

    kind: str
    name: str
    owner: str
    schema: str = "public"
    arguments: str | None = None


@dataclass(slots=True, kw_only=True, frozen=True)
class Unmodelled:
    """An object or attribute a catalog holds that the model does not (inspect.unmodelled): reported by
    import, diff and lint, never dropped silently."""

    kind: str  # sequence, domain, function attribute, partition...
    name: str  # qualified within ``schema`` (table.column, table.constraint, function(args))
    why: str
    schema: str | None = "public"  # None: a database-wide object (event trigger)
    definition: str = ""  # as PostgreSQL prints it: two entries differ when their definitions do

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name if self.schema in (None, 'public') else f'{self.schema}.{self.name}'}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "schema": self.schema, "name": self.name, "why": self.why,
                "definition": self.definition}


@dataclass(slots=True, kw_only=True)
class Inference:
    """One decision the designer made for the user, with its reason (docs/inferences.md)."""

    rule: str
    subject: str  # e.g. "orders.total"
    decision: str
    reason: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "subject": self.subject, "decision": self.decision, "reason": self.reason}


@dataclass(slots=True, kw_only=True)
class Schema:
    """A whole database design: tables and the objects around them."""

    name: str = "public"
    extensions: list[str] = field(default_factory=list)
    enums: list[EnumType] = field(default_factory=list)
    composite_types: list[CompositeType] = field(default_factory=list)  # read from catalogs
    domains: list[DomainType] = field(default_factory=list)
    sequences: list[Sequence] = field(default_factory=list)  # read from catalogs (designs use identity columns)
    foreign_servers: list[ForeignServer] = field(default_factory=list)  # database-wide; before the foreign tables
    tables: list[Table] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    aggregates: list[Aggregate] = field(default_factory=list)  # created after the functions they use
    inferences: list[Inference] = field(default_factory=list)
    facts: DesignFacts = field(default_factory=DesignFacts)  # resolved project/performance/security facts
    schemas: list[str] = field(default_factory=list)  # the namespaces a catalog reader found (public first)
    schema_comments: dict[str, str] = field(default_factory=dict)  # COMMENT ON SCHEMA, by namespace
    owner: str | None = None  # the role that owns every object (migrations SET ROLE to it); None: unmanaged
    roles: list[Role] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    default_privileges: list[DefaultPrivilege] = field(default_factory=list)
    # What a catalog held that the model does not (inspect.unmodelled); None: not read from a catalog (a design)
    unmodelled: list[Unmodelled] | None = None
    # Every object's owner, read from a catalog (a design's objects all belong to ``owner``); None: a design
    object_owners: list[ObjectOwner] | None = None

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def function(self, name: str) -> Function | None:
        return next((f for f in self.functions if f.name == name), None)

    def enum(self, name: str) -> EnumType | None:
        return next((e for e in self.enums if e.name == name), None)

    def infer(self, rule: str, subject: str, decision: str, reason: str) -> None:
        self.inferences.append(Inference(rule=rule, subject=subject, decision=decision, reason=reason))

    def role(self, purpose: str) -> Role | None:
        """The role with this purpose (owner, readonly, readwrite, admin, app)."""
        return next((r for r in self.roles if r.purpose == purpose), None)

    def all_foreign_keys(self) -> list[tuple[Table, ForeignKey]]:
        return [(t, fk) for t in self.tables for fk in t.foreign_keys]
