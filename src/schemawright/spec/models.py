"""The task input (seed 003's ``DatabaseTaskInput``) as pydantic models.

Every field of the interface is accepted; all sections but ``data_model.entities`` are optional and
their gaps are filled by the designer's documented defaults. Unknown keys are errors (with a
"did you mean" hint from the loader), so a typo never silently changes a design.
"""

from __future__ import annotations

import difflib
import re
from contextvars import ContextVar
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from schemawright.model.names import MAX_IDENTIFIER, slug, to_snake

NAME_RULE = ("use ASCII letters, digits and underscores, starting with a letter (names are data, never SQL: "
             "they become table and column names)")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_]")


def _no_nul(value: Any, where: str = "") -> None:
    """Refuse, in every string of the input, what PostgreSQL text cannot hold: NUL (U+0000) and
    unpaired surrogates (which are not Unicode characters and cannot be encoded as UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{where}contains a NUL character (U+0000) at position {value.index(chr(0))}, "
                             "which PostgreSQL cannot store")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate such as "\ud800" from a JSON escape
            raise ValueError(f"{where}contains {value[exc.start]!r} at position {exc.start}, which is not a "
                             "valid Unicode character (an unpaired surrogate)") from None
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _no_nul(item, f"item {i} ")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key, "a key ")
            _no_nul(item, f"{key!r} ")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any, info: ValidationInfo) -> Any:
        _no_nul(value)
        return value


# Set while a task input with conventions.naming off is validated: names are then kept as written
# (as an imported schema spells them), within a narrower alphabet that needs no quoting to be harmless.
_VERBATIM_NAMES: ContextVar[bool] = ContextVar("verbatim_names", default=False)
_VERBATIM_CHARS = re.compile(r"[\w$ -]")  # \w: letters (any script), digits, underscore


def _check_verbatim(value: str) -> str:
    """A name used as written: letters, digits, ``_``, ``$``, ``-`` and inner spaces, at most 63 bytes."""
    bad = next((ch for ch in value if not _VERBATIM_CHARS.match(ch)), None)
    if value.strip() != value or not value or bad is not None:
        raise ValueError(f"{value!r} is not a valid name: " + (f"the character {bad!r} is not allowed; " if bad else "")
                         + "with conventions.naming off, names use letters, digits, '_', '$', '-' and inner spaces")
    if len(value.encode()) > MAX_IDENTIFIER:
        raise ValueError(f"{value[:20]!r}... is {len(value.encode())} bytes long: PostgreSQL names are limited to "
                         f"{MAX_IDENTIFIER} bytes (longer ones would be silently truncated)")
    return value


def _show(value: Any) -> str:
    """A value as the input spells it (true/false for booleans)."""
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _check_identifier(value: str) -> str:
    """A name from the input: it becomes (part of) a table, column or constraint name.

    Letters, digits and underscores only, so a name can never carry SQL (``users; DROP TABLE x; --``),
    a quote (``a"b``), a space or an invisible character; it starts with a letter and has no
    leading, trailing or doubled underscore (the naming conventions split names on ``_``); it fits
    PostgreSQL's 63-byte limit so the server never silently truncates it.
    """
    if _VERBATIM_NAMES.get():
        return _check_verbatim(value)
    if value == "":
        raise ValueError("a name cannot be empty")
    bad = next((ch for ch in value if not _NAME_CHARS.match(ch)), None)
    if bad is not None:
        what = ("a space" if bad == " " else f"the character {bad!r}" + (
            f" (U+{ord(bad):04X})" if not bad.isascii() or not bad.isprintable() else ""))
        raise ValueError(f"{value!r} is not a valid name: {what} is not allowed; {NAME_RULE}")
    if not value[0].isalpha():
        raise ValueError(f"{value!r} is not a valid name: it must start with a letter; {NAME_RULE}")
    if value.endswith("_") or "__" in value:
        raise ValueError(f"{value!r} is not a valid name: it must not end with an underscore or contain two "
                         "underscores in a row (the naming conventions split names on '_')")
    size = len(value.encode())
    if size > MAX_IDENTIFIER:
        raise ValueError(f"{value[:20]!r}... is {size} bytes long: PostgreSQL names are limited to "
                         f"{MAX_IDENTIFIER} bytes (longer ones would be silently truncated)")
    snake = to_snake(value)
    if len(snake) > MAX_IDENTIFIER:
        raise ValueError(f"{value[:20]!r}... becomes {snake[:20]!r}... in snake_case, {len(snake)} bytes long: "
                         f"PostgreSQL names are limited to {MAX_IDENTIFIER} bytes")
    return value


Identifier = Annotated[str, AfterValidator(_check_identifier)]


def _check_single_line(value: str) -> str:
    bad = next((ch for ch in value if not ch.isprintable()), None)
    if bad is not None:
        raise ValueError(f"must be a single line of printable text (found {bad!r}); it is written into "
                         "file headers and titles")
    return value


def _check_project_name(value: str) -> str:
    """The project name is free text (titles, comments), but it also names the database, the roles
    and the backup files through ``names.slug``; a name with nothing left for those is refused."""
    _check_single_line(value)
    if not slug(value):
        raise ValueError(f"{value!r} has no ASCII letter or digit: the project name also names the database, the "
                         "roles and the backup files, which take only ASCII letters, digits and '_' (add a "
                         "Latin name, e.g. 'shop' or 'shop 2')")
    return value


def _check_reference(value: str) -> str:
    """``references``: ``entity`` or ``entity.column``, each part a valid name."""
    parts = value.split(".")
    if len(parts) > 2:
        raise ValueError(f"{value!r} is not a reference: use 'entity' or 'entity.column'")
    for part in parts:
        _check_identifier(part)
    return value


PROJECT_TYPES = ("web_app", "api", "mobile_app", "analytics", "ecommerce", "saas", "cms", "iot", "healthcare", "other")


class Project(_Strict):
    name: Annotated[str, AfterValidator(_check_project_name)] = "database"
    type: Literal["web_app", "api", "mobile_app", "analytics", "ecommerce", "saas", "cms", "iot",
                  "healthcare", "other"] = "web_app"
    # A domain word of the user's own (``transport``, ``professional_services``): the type only describes
    # the project, so a word close to none of the known types is read as ``other`` and kept here (the
    # design says so); a near miss (``webapp``) stays an input error with its "did you mean".
    domain: str | None = Field(default=None, max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _own_domain_word(cls, value: Any) -> Any:
        if not isinstance(value, dict) or not isinstance(kind := value.get("type"), str) or kind in PROJECT_TYPES:
            return value
        word = kind.strip().lower().replace("-", "_").replace(" ", "_")
        if word in PROJECT_TYPES:
            return {**value, "type": word}
        near = difflib.get_close_matches(word, PROJECT_TYPES, n=1, cutoff=0.75)
        if near or not re.fullmatch(r"[a-z][a-z0-9_]{1,59}", word) or value.get("domain") not in (None, kind):
            return value  # a typo of a known type, or not a word: the Literal's error, with its hint
        return {**value, "type": "other", "domain": kind}
    database_type: Literal["postgresql", "mysql", "mariadb", "mongodb", "sqlite", "citus"] = "postgresql"
    scale: Literal["small", "medium", "large", "enterprise"] | None = None
    environment: Literal["development", "staging", "production"] = "production"


class Task(_Strict):
    type: Literal["schema_design", "migration", "optimization", "data_modeling", "performance_tuning",
                  "backup_strategy"] = "schema_design"
    priority: Literal["critical", "high", "medium", "low"] = "medium"
    description: str = ""
    requirements: list[str] = Field(default_factory=list)
    acceptance_criteria: list[str] = Field(default_factory=list)


class Attribute(_Strict):
    """An entity attribute; a plain string in the input is shorthand for ``{name: ...}``."""

    name: Identifier
    type: str | None = None  # any common spelling: varchar(100), numeric(12,2), uuid, text[], enum...
    nullable: bool | None = None
    unique: bool | None = None
    # a literal, or one of the known functions (now()...); objects and lists only for json/jsonb columns
    default: str | int | float | bool | dict[str, Any] | list[Any] | None = None
    check: str | None = None  # one boolean expression over this table's columns
    description: str | None = None
    pii: bool | None = None
    encrypt: bool | None = None
    values: list[str] | None = None  # allowed values (status sets, enums)
    references: Annotated[str, AfterValidator(_check_reference)] | None = None  # "entity" or "entity.column"
    multi_valued: bool | None = None  # a list of values: becomes a child table (1NF)
    indexed: bool | None = None  # queried on its own: index it (GIN for jsonb)
    renamed_from: Identifier | None = None
    identity: Literal["always", "by default"] | None = None  # GENERATED ... AS IDENTITY
    identity_sequence: str | None = Field(default=None, pattern=r"^([^.]+\.)?[^.]+$")  # (schema.)name of its sequence
    # its sequence's options as the catalog reader spells them: START WITH 100 INCREMENT BY 1 ... NO CYCLE
    identity_options: str | None = Field(default=None, pattern=r"^(?:(?:START WITH|INCREMENT BY|MINVALUE|MAXVALUE|CACHE) "
                                         r"-?\d+|NO CYCLE|CYCLE)(?: (?:(?:START WITH|INCREMENT BY|MINVALUE|MAXVALUE|"
                                         r"CACHE) -?\d+|NO CYCLE|CYCLE))*$")
    default_expression: str | None = None  # a SQL expression (nextval(...), uuid_generate_v4()...); parsed, not pasted
    generated: str | None = None  # GENERATED ALWAYS AS (expression) STORED, over this table's columns
    generated_virtual: bool = False  # ... VIRTUAL instead (PostgreSQL 18): computed when read, not stored
    # Spellings users commonly write, folded into the keys above (see ``_aliases``):
    required: bool | None = None  # required: true = nullable: false
    optional: bool | None = None  # optional: true = nullable: true
    index: bool | None = None  # = indexed
    comment: str | None = None  # = description
    enum: list[str] | None = None  # = values
    primary_key: bool | None = None  # true: this column is (part of) the entity's primary key
    foreign_key: Annotated[str, AfterValidator(_check_reference)] | None = None  # = references
    max_length: int | None = Field(default=None, gt=0, le=10485760)  # a text type -> varchar(max_length)

    @model_validator(mode="after")
    def _aliases(self) -> Attribute:
        """Fold the common spellings into the canonical keys; two keys that contradict each other
        are refused (naming both) rather than one silently winning."""
        def fold(alias: str, value: Any, target: str, wanted: Any) -> None:
            if value is None:
                return
            current = getattr(self, target)
            if current is not None and current != wanted:
                raise ValueError(f"{alias}: {_show(value)} contradicts {target}: {_show(current)} "
                                 f"({alias}: {_show(value)} means {target}: {_show(wanted)}); keep one of them")
            setattr(self, target, wanted)

        fold("required", self.required, "nullable", None if self.required is None else not self.required)
        fold("optional", self.optional, "nullable", self.optional)
        fold("index", self.index, "indexed", self.index)
        fold("comment", self.comment, "description", self.comment)
        fold("enum", self.enum, "values", self.enum)
        fold("foreign_key", self.foreign_key, "references", self.foreign_key)
        if self.max_length is not None:
            written = (self.type or "").strip().lower().replace(" ", "")
            if written in ("", "text", "string", "str", "varchar", "charactervarying"):
                self.type = f"varchar({self.max_length})"
            elif written not in (f"varchar({self.max_length})", f"charactervarying({self.max_length})"):
                raise ValueError(f"max_length: {self.max_length} contradicts type: {self.type!r} (max_length "
                                 f"means type: varchar({self.max_length})); keep one of them")
        if self.enum is not None:
            self._distinct_values(self.enum)
        if self.primary_key and self.optional is True:
            raise ValueError("primary_key: true contradicts optional: true (a primary key column is never null)")
        if self.primary_key and self.nullable is True:
            raise ValueError("primary_key: true contradicts nullable: true (a primary key column is never null)")
        return self

    @field_validator("values", mode="after")
    @classmethod
    def _distinct_values(cls, values: list[str] | None) -> list[str] | None:
        if values:
            seen: set[str] = set()
            for value in values:
                if value in seen:
                    raise ValueError(f"{value!r} is listed twice")
                seen.add(value)
        return values

    @model_validator(mode="after")
    def _enum_labels(self) -> Attribute:
        if self.type is not None and self.type.strip().lower() == "enum" and self.values:
            for value in self.values:
                if not value or len(value.encode()) > MAX_IDENTIFIER:
                    raise ValueError(f"enum value {value[:20]!r} must be 1 to {MAX_IDENTIFIER} bytes long "
                                     "(a PostgreSQL limit on enum labels)")
        return self


class TriggerDefinition(_Strict):
    """A trigger on the entity's table that calls an existing function (spelled-out inputs only)."""

    name: Identifier
    function: str  # "fn" (in the table's schema) or "schema.fn"
    timing: Literal["before", "after", "instead of"] = "before"
    events: list[Literal["insert", "update", "delete", "truncate"]] = Field(min_length=1)
    for_each: Literal["row", "statement"] = "row"
    when: str | None = None  # WHEN condition over OLD/NEW, e.g. "OLD.status IS DISTINCT FROM NEW.status"
    columns: list[Identifier] = Field(default_factory=list)  # UPDATE OF these columns
    arguments: list[str] = Field(default_factory=list)  # string arguments passed to the function


class ForeignServerDefinition(_Strict):
    """CREATE SERVER name FOREIGN DATA WRAPPER wrapper OPTIONS (...) (the wrapper's extension under extensions)."""

    name: Identifier
    wrapper: Identifier
    options: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*=")]] = Field(default_factory=list)


class RuleDefinition(_Strict):
    """A rule on the entity: the whole ``CREATE RULE name AS ON event TO entity ... DO ...`` statement (parsed:
    one CREATE RULE with this name on this entity; the model keeps PostgreSQL's parser's deparse)."""

    name: Identifier
    definition: str


class PartitionOf(_Strict):
    """This entity is a partition of ``parent`` (an entity with partition_by, same schema): its columns are the
    parent's; ``bound`` as PostgreSQL writes it: FOR VALUES FROM (...) TO (...) / IN (...) / WITH (MODULUS m,
    REMAINDER r), or DEFAULT (parsed)."""

    parent: Identifier
    bound: str


class PartitionSpec(_Strict):
    """Declarative partitioning stated in the input (the partitions themselves are created separately)."""

    strategy: Literal["range", "list", "hash"]
    columns: list[Identifier] = Field(min_length=1)


class Entity(_Strict):
    name: Identifier
    type: Literal["core", "transactional", "lookup", "junction", "log", "analytics", "reference",
                  "time_series", "child"] | None = None  # None: inferred from the name
    description: str | None = None
    attributes: list[Attribute] = Field(default_factory=list)  # plain strings are expanded by the loader
    estimated_rows: int | None = Field(default=None, ge=0)
    primary_key: list[Identifier] | None = None
    soft_delete: bool | None = None
    audit_columns: bool | None = None
    tenant_column: Identifier | None = None
    renamed_from: Identifier | None = None
    db_schema: Identifier | None = Field(default=None, alias="schema")  # the PostgreSQL schema (default public)
    primary_key_name: Identifier | None = None  # the constraint's name (default: the naming convention's)
    triggers: list[TriggerDefinition] = Field(default_factory=list)
    partition_by: PartitionSpec | None = None
    cluster_on: Identifier | None = None  # ALTER TABLE ... CLUSTER ON: an index (or key constraint) of this entity
    partition_of: PartitionOf | None = None  # a partition of another entity (no attributes of its own)
    inherits: list[Identifier] = Field(default_factory=list)  # INHERITS: entities of the same schema (their
    # attributes and checks come first; list only this entity's own)
    rules: list[RuleDefinition] = Field(default_factory=list)  # CREATE RULE ... ON this entity
    foreign_server: Identifier | None = None  # a foreign table read through this server (data_model.foreign_servers)
    foreign_options: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*=")]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _attribute_primary_key(self) -> Entity:
        """``primary_key: true`` on attributes names the entity's primary key (in attribute order)."""
        marked = [a.name for a in self.attributes if a.primary_key]
        if marked:
            if self.primary_key is not None and self.primary_key != marked:
                raise ValueError(f"primary_key: {self.primary_key} contradicts the attributes marked "
                                 f"primary_key: true ({marked}); keep one of them")
            self.primary_key = marked
        return self


class Relationship(_Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Identifier = Field(alias="from")
    to: Identifier
    type: Literal["one_to_one", "one_to_many", "many_to_one", "many_to_many"] = "many_to_one"
    foreign_key: Identifier | None = None
    on_delete: Literal["cascade", "restrict", "set_null", "set_default", "no_action"] | None = None
    required: bool | None = None
    through: Identifier | None = None  # junction table name for many_to_many
    description: str | None = None
    # A foreign key spelled out over declared columns (composite keys, keys to a unique column):
    name: Identifier | None = None
    columns: list[Identifier] = Field(default_factory=list)  # the referencing columns of ``from``
    references_columns: list[Identifier] = Field(default_factory=list)  # of ``to`` (default: its primary key)
    on_update: Literal["cascade", "restrict", "set_null", "set_default", "no_action"] | None = None
    deferrable: bool = False
    initially_deferred: bool = False


class ExcludeSpec(_Strict):
    """No two rows with equal ``per`` columns have overlapping ``period`` [start, end)."""

    per: list[Identifier] = Field(min_length=1, max_length=8)  # each compared with = in the EXCLUDE
    period: list[Identifier] = Field(min_length=2, max_length=2)
    unless: dict[Identifier, str] | None = None  # rows with this column value do not count: {status: cancelled}


class BusinessRule(_Strict):
    name: Identifier
    description: str = ""
    entity: Identifier | None = None
    check: str | None = None  # a boolean expression over the entity's columns, enforced as a CHECK
    # Structured forms, for people who want to be exact (docs/business-rules.md); each needs ``entity``.
    unique_within: list[Identifier] | None = None  # with ``columns``: UNIQUE (unique_within..., columns...)
    columns: list[Identifier] | None = None
    immutable: bool | None = None  # rows are never updated or deleted (append-only)
    transitions: dict[str, list[str]] | None = None  # with ``column`` (default status): from -> allowed tos
    column: Identifier | None = None
    exclude: ExcludeSpec | None = None


class ExcludeElement(_Strict):
    """One element of an exclusion constraint: a column or an expression, compared with ``operator``."""

    column: Identifier | None = None
    expression: str | None = None
    operator: str = Field(pattern=r"^(?:[A-Za-z_][A-Za-z0-9_]*\.)?[-+*/<>=~!@#%^&|`?]{1,63}$")  # =, &&, pg_catalog.=

    @model_validator(mode="after")
    def _one_of(self) -> ExcludeElement:
        if (self.column is None) == (self.expression is None):
            raise ValueError("an exclusion element is either a column or an expression")
        return self


class Constraint(_Strict):
    entity: Identifier
    type: Literal["check", "unique", "not_null", "exclude"]
    columns: list[Identifier] = Field(default_factory=list)
    expression: str | None = None
    name: Identifier | None = None
    description: str | None = None
    nulls_not_distinct: bool = False  # unique: NULLS NOT DISTINCT
    # exclude: EXCLUDE USING using (element WITH operator, ...) [WHERE (where)] [DEFERRABLE [INITIALLY DEFERRED]]
    using: Literal["gist", "spgist", "btree", "hash", "brin", "gin"] = "gist"
    elements: list[ExcludeElement] = Field(default_factory=list)
    where: str | None = None
    deferrable: bool = False
    initially_deferred: bool = False


class IndexKey(_Strict):
    """One key of an index spelled out: a column or an expression, with its order and operator class."""

    column: Identifier | None = None
    expression: str | None = None
    order: Literal["asc", "desc"] = "asc"
    nulls: Literal["first", "last"] | None = None  # None: the default for the order
    opclass: Identifier | None = None
    collation: str | None = None  # COLLATE of the key ("C"), when not the column's own

    @model_validator(mode="after")
    def _one_of(self) -> IndexKey:
        if (self.column is None) == (self.expression is None):
            raise ValueError("an index key is either a column or an expression")
        return self


class IndexRequirement(_Strict):
    entity: Identifier
    columns: list[Identifier] = Field(default_factory=list)  # taken in the given order
    equality: list[Identifier] = Field(default_factory=list)  # or: equality columns...
    range: list[Identifier] = Field(default_factory=list)  # ...then range/sort columns (seed 004's rule)
    type: Literal["btree", "hash", "gin", "gist", "brin", "spgist", "hnsw", "ivfflat"] = "btree"
    unique: bool = False
    where: str | None = None
    include: list[Identifier] = Field(default_factory=list)
    name: Identifier | None = None
    reason: str | None = None
    keys: list[IndexKey] = Field(default_factory=list)  # or: keys spelled out (expressions, DESC, opclass)
    nulls_not_distinct: bool = False


class EnumDefinition(_Strict):
    """A named enum type that attributes use by name (``type: mpaa_rating``)."""

    name: Identifier
    values: list[str] = Field(min_length=1)
    description: str | None = None
    db_schema: Identifier | None = Field(default=None, alias="schema")


class SequenceDefinition(_Strict):
    """A sequence (CREATE SEQUENCE), e.g. a serial column's: the column's default is ``nextval('name'::regclass)``.
    Options left out take PostgreSQL's defaults for the type and direction."""

    name: Identifier
    data_type: Literal["smallint", "integer", "bigint"] = "bigint"
    start: int | None = None
    increment: int = 1
    min_value: int | None = None
    max_value: int | None = None
    cache: int = Field(default=1, ge=1)
    cycle: bool = False
    owned_by: str | None = Field(default=None, pattern=r"^[^.]+\.[^.]+$")  # "entity.attribute" (same schema)
    description: str | None = None  # COMMENT ON SEQUENCE
    db_schema: Identifier | None = Field(default=None, alias="schema")


class SchemaDefinition(_Strict):
    """A PostgreSQL schema (namespace) with its description (COMMENT ON SCHEMA); entities name it in ``schema``."""

    name: Identifier
    description: str | None = None


class DomainCheckDefinition(_Strict):
    """A named CHECK of a domain: one condition over ``VALUE`` (parsed)."""

    name: Identifier
    expression: str


class DomainDefinition(_Strict):
    """A domain (CREATE DOMAIN): a base type with NOT NULL, a default and named CHECKs over ``VALUE``;
    attributes use it by name (``type: year``), and the column keeps the domain as its type."""

    name: Identifier
    base_type: str  # "integer", "varchar(50)", "boolean"
    not_null: bool = False
    default: str | None = None  # an SQL expression (spelled-out inputs only)
    checks: list[DomainCheckDefinition] = Field(default_factory=list)
    collation: Identifier | None = None
    description: str | None = None
    db_schema: Identifier | None = Field(default=None, alias="schema")


class CompositeAttribute(_Strict):
    """One attribute of a composite type: its name and type (parsed), with its collation when not the type's."""

    name: Identifier
    type: str
    collation: Identifier | None = None


class CompositeTypeDefinition(_Strict):
    """A composite type (CREATE TYPE name AS (attribute type, ...)); attributes of entities use it by name
    (``type: app.postal_address``)."""

    name: Identifier
    attributes: list[CompositeAttribute] = Field(min_length=1)
    description: str | None = None
    db_schema: Identifier | None = Field(default=None, alias="schema")


class ViewIndex(IndexRequirement):
    """An index of a materialized view: as under data_model.indexes, named, without ``entity``."""

    entity: Identifier | None = None  # the view itself
    name: Identifier


class ViewDefinition(_Strict):
    """A view over the entities: one SELECT, parsed (spelled-out inputs only)."""

    name: Identifier
    query: str
    materialized: bool = False
    indexes: list[ViewIndex] = Field(default_factory=list)  # materialized views only
    cluster_on: Identifier | None = None  # one of its indexes: ALTER MATERIALIZED VIEW ... CLUSTER ON
    # a plain view's WITH (...) as PostgreSQL stores them: security_barrier=true, check_option=cascaded...
    options: list[Annotated[str, Field(pattern=r"^(?:security_barrier|security_invoker)=(?:true|false|on|off|1|0)$"
                                       r"|^check_option=(?:local|cascaded)$")]] = Field(default_factory=list)
    description: str | None = None
    db_schema: Identifier | None = Field(default=None, alias="schema")


class FunctionDefinition(_Strict):
    """A function with its body (spelled-out inputs only); arguments and result are parsed."""

    name: Identifier
    arguments: str = ""  # as in CREATE FUNCTION name(...): "p_id integer, OUT total numeric"
    returns: str = "void"  # "integer", "trigger", "SETOF customer", "TABLE(id integer)"
    body: str
    language: Identifier = "plpgsql"
    volatility: Literal["immutable", "stable", "volatile"] = "volatile"
    security_definer: bool = False
    strict: bool = False  # RETURNS NULL ON NULL INPUT
    leakproof: bool = False
    parallel: Literal["safe", "restricted", "unsafe"] = "unsafe"
    cost: float | None = Field(default=None, gt=0)
    rows: float | None = Field(default=None, gt=0)  # set-returning functions
    # SET clauses, "name=value" (e.g. "search_path=pg_catalog, public"); omitted: a SECURITY DEFINER function
    # gets SET search_path = pg_catalog, public and any other none
    settings: list[str] | None = None
    description: str | None = None
    db_schema: Identifier | None = Field(default=None, alias="schema")


class AggregateDefinition(_Strict):
    """A user-defined aggregate: ``CREATE AGGREGATE name(arguments) (options)``, e.g. arguments ``text`` and
    options ``sfunc = _group_concat, stype = text`` (parsed; its functions are declared under functions)."""

    name: Identifier
    arguments: str = Field(min_length=1)  # "text", "numeric, numeric", "*"
    options: str = Field(min_length=1)
    description: str | None = None
    db_schema: Identifier | None = Field(default=None, alias="schema")


class FunctionalDependency(_Strict):
    """determinant -> dependent within one entity (normalization analysis: docs/normalization.md)."""

    entity: Identifier
    determinant: list[Identifier] = Field(min_length=1)
    dependent: list[Identifier] = Field(min_length=1)
    description: str | None = None


class DataModel(_Strict):
    entities: list[Entity] = Field(min_length=1)
    schemas: list[SchemaDefinition] = Field(default_factory=list)
    foreign_servers: list[ForeignServerDefinition] = Field(default_factory=list)
    enums: list[EnumDefinition] = Field(default_factory=list)
    domains: list[DomainDefinition] = Field(default_factory=list)
    composite_types: list[CompositeTypeDefinition] = Field(default_factory=list)
    sequences: list[SequenceDefinition] = Field(default_factory=list)
    views: list[ViewDefinition] = Field(default_factory=list)
    functions: list[FunctionDefinition] = Field(default_factory=list)
    aggregates: list[AggregateDefinition] = Field(default_factory=list)
    extensions: list[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,62}$")]] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
    business_rules: list[BusinessRule] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)
    indexes: list[IndexRequirement] = Field(default_factory=list)
    functional_dependencies: list[FunctionalDependency] = Field(default_factory=list)


class DataVolume(_Strict):
    initial: str | int | None = None  # "200K records"; a plain number of rows is accepted (kept as text)
    growth_rate: str | None = None

    @field_validator("initial", mode="before")
    @classmethod
    def _rows_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class QueryPerformance(_Strict):
    simple_queries: str | None = None
    complex_queries: str | None = None
    reports: str | None = None


class PerformanceTargets(_Strict):
    concurrent_users: int | None = Field(default=None, ge=0)
    read_operations_per_second: int | None = Field(default=None, ge=0)
    write_operations_per_second: int | None = Field(default=None, ge=0)
    data_volume: DataVolume | None = None
    query_performance: QueryPerformance | None = None


class EncryptionRequirements(_Strict):
    at_rest: bool = False
    in_transit: bool = False
    column_level: list[str] = Field(default_factory=list)


class SecurityRequirements(_Strict):
    data_classification: Literal["public", "internal", "confidential", "restricted"] | None = None
    compliance_standards: list[str] = Field(default_factory=list)
    encryption_requirements: EncryptionRequirements | None = None
    audit_requirements: bool = False
    access_control: Literal["role_based", "attribute_based", "mandatory"] | None = None
    # Free text about who sees what; not compiled (the design warns and points at business_rules,
    # whose access patterns are): kept for the documents
    notes: str | None = None


class Integration(_Strict):
    orm_framework: str | None = None
    orm: str | None = None  # = orm_framework

    @model_validator(mode="after")
    def _orm_alias(self) -> Integration:
        if self.orm is not None:
            if self.orm_framework is not None and self.orm_framework != self.orm:
                raise ValueError(f"orm: {self.orm!r} contradicts orm_framework: {self.orm_framework!r}; keep one")
            self.orm_framework = self.orm
        return self
    api_layer: str | None = None
    caching_layer: str | None = None
    search_engine: str | None = None
    analytics_tools: list[str] = Field(default_factory=list)


FREQUENCY_WORDS = {"high": 100.0, "medium": 10.0, "low": 1.0}  # relative weights, as bench mixes the patterns


class QueryPattern(_Strict):
    name: str
    sql: str | None = None
    description: str | None = None
    # how often it runs relative to the other patterns (bench's weights): a number, or high/medium/low
    frequency: float | Literal["high", "medium", "low"] | None = None
    target_latency: str | None = None

    @field_validator("frequency", mode="after")
    @classmethod
    def _frequency_weight(cls, value: float | str | None) -> float | None:
        return FREQUENCY_WORDS[value] if isinstance(value, str) else value


class Conventions(_Strict):
    """What the designer adds on its own, each switch on by default. ``schemawright import`` writes
    them all off (``conventions: false`` is the short form) and spells out every table, key,
    constraint and index, so the design reproduces the imported schema."""

    naming: bool = True  # plural snake_case tables, snake_case columns, pk_/fk_/uq_/chk_/idx_ names
    uuid_keys: bool = True  # a uuid ``id`` primary key for an entity that declares none
    audit_columns: bool = True  # created_at/updated_at (+ trigger), created_by/updated_by
    soft_delete: bool = True  # deleted_at + an active-rows view on core entities
    index_foreign_keys: bool = True  # an index leading with every foreign key
    prune_indexes: bool = True  # drop plain indexes that duplicate or prefix another index or key
    index_workload: bool = True  # index the read shapes of the generated workload (rows by parent newest first...)
    infer_types: bool = True  # types, checks, defaults, status sets, PII and references read from names
    lookup_tables: bool = True  # categorical and multi-valued names become lookup, vocabulary, child tables
    partitioning: bool = True  # large event tables are partitioned
    security: bool = True  # roles, grants, row-level security, masking, audit
    comments: bool = True  # every table and column the input left undocumented gets a comment
    strict_expressions: bool = True  # checks call allow-listed immutable functions only; off: any expression
    patterns: bool = True  # task.requirements matched to domain patterns that add what the input lacks

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, bool):  # conventions: false -> every switch off
            return {name: value for name in cls.model_fields}
        return value


class TaskInput(_Strict):
    project: Project = Field(default_factory=Project)
    conventions: Conventions = Field(default_factory=Conventions)
    x_skipped: list[str] = Field(default_factory=list, alias="x-skipped")  # what an importer could not carry

    @model_validator(mode="wrap")
    @classmethod
    def _names_as_written(cls, data: Any, handler):
        """With conventions.naming off, names are validated as written (see ``_check_verbatim``)."""
        conventions = data.get("conventions") if isinstance(data, dict) else None
        verbatim = conventions is False or isinstance(conventions, dict) and conventions.get("naming") is False
        token = _VERBATIM_NAMES.set(verbatim)
        try:
            return handler(data)
        finally:
            _VERBATIM_NAMES.reset(token)
    task: Task = Field(default_factory=Task)
    data_model: DataModel
    performance_targets: PerformanceTargets | None = None
    security_requirements: SecurityRequirements | None = None
    integration: Integration | None = None
    query_patterns: list[QueryPattern] = Field(default_factory=list)
