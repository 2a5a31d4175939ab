"""The task input (seed 003's ``DatabaseTaskInput``) as pydantic models.

Every field of the interface is accepted; all sections but ``data_model.entities`` are optional and
their gaps are filled by the designer's documented defaults. Unknown keys are errors (with a
"did you mean" hint from the loader), so a typo never silently changes a design.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from schemawright.model.names import IDENTIFIER_RE, MAX_IDENTIFIER


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _check_identifier(value: str) -> str:
    if not IDENTIFIER_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid name: use letters, digits and underscores, starting with a letter or "
            "underscore (names are data, never SQL)")
    if len(value.encode()) > MAX_IDENTIFIER:
        raise ValueError(f"{value!r} is longer than PostgreSQL's {MAX_IDENTIFIER}-byte identifier limit")
    return value


Identifier = Annotated[str, AfterValidator(_check_identifier)]


class Project(_Strict):
    name: str = "database"
    type: Literal["web_app", "api", "mobile_app", "analytics", "ecommerce", "saas", "cms", "iot",
                  "healthcare", "other"] = "web_app"
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
    default: str | int | float | bool | None = None  # a literal, or one of the known functions (now()...)
    check: str | None = None  # one boolean expression over this table's columns
    description: str | None = None
    pii: bool | None = None
    encrypt: bool | None = None
    values: list[str] | None = None  # allowed values (status sets, enums)
    references: str | None = None  # "table" or "table.column"
    multi_valued: bool | None = None  # a list of values: becomes a child table (1NF)
    indexed: bool | None = None  # queried on its own: index it (GIN for jsonb)
    renamed_from: Identifier | None = None


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


class BusinessRule(_Strict):
    name: Identifier
    description: str = ""
    entity: Identifier | None = None
    check: str | None = None  # a boolean expression over the entity's columns, enforced as a CHECK


class Constraint(_Strict):
    entity: Identifier
    type: Literal["check", "unique", "not_null"]
    columns: list[Identifier] = Field(default_factory=list)
    expression: str | None = None
    name: Identifier | None = None
    description: str | None = None


class IndexRequirement(_Strict):
    entity: Identifier
    columns: list[Identifier] = Field(default_factory=list)  # taken in the given order
    equality: list[Identifier] = Field(default_factory=list)  # or: equality columns...
    range: list[Identifier] = Field(default_factory=list)  # ...then range/sort columns (seed 004's rule)
    type: Literal["btree", "hash", "gin", "gist", "brin"] = "btree"
    unique: bool = False
    where: str | None = None
    include: list[Identifier] = Field(default_factory=list)
    name: Identifier | None = None
    reason: str | None = None


class DataModel(_Strict):
    entities: list[Entity] = Field(min_length=1)
    relationships: list[Relationship] = Field(default_factory=list)
    business_rules: list[BusinessRule] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)
    indexes: list[IndexRequirement] = Field(default_factory=list)


class DataVolume(_Strict):
    initial: str | None = None
    growth_rate: str | None = None


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


class Integration(_Strict):
    orm_framework: str | None = None
    api_layer: str | None = None
    caching_layer: str | None = None
    search_engine: str | None = None
    analytics_tools: list[str] = Field(default_factory=list)


class QueryPattern(_Strict):
    name: str
    sql: str | None = None
    description: str | None = None
    frequency: float | None = None
    target_latency: str | None = None


class TaskInput(_Strict):
    project: Project = Field(default_factory=Project)
    task: Task = Field(default_factory=Task)
    data_model: DataModel
    performance_targets: PerformanceTargets | None = None
    security_requirements: SecurityRequirements | None = None
    integration: Integration | None = None
    query_patterns: list[QueryPattern] = Field(default_factory=list)
