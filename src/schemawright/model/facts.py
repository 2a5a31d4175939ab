"""Typed design facts: what the designer resolved about the project beyond its objects.

The designer fills ``Schema.facts`` (a ``DesignFacts``) step by step (defaults, partitioning, security);
renderers, bench, seed, lint and verify read these facts and never the raw task input, so one fact has one
source. They travel in the model JSON (``models/physical/schema.json``, key ``facts``), so commands that
read a design folder see the same facts as the design run. Every class is frozen: a design step replaces a
fact (``dataclasses.replace``) rather than editing it in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The session settings the generated policies and encryption functions read (set by the application).
USER_SETTING, TENANT_SETTING, KEY_SETTING = "app.current_user_id", "app.current_tenant_id", "app.encryption_key"


@dataclass(frozen=True)
class ProjectFacts:
    name: str = "database"
    type: str = "web_app"  # web_app | api | analytics | ... (the task input's project.type)
    description: str = ""  # the task's description, for the generated README


@dataclass(frozen=True)
class Scale:
    """The project's scale and the rows a main table is expected to reach at that scale."""

    name: str = "medium"  # small | medium | large | enterprise
    default_rows: int = 1_000_000


@dataclass(frozen=True)
class LatencyTargets:
    """Target latencies as written (``"< 10ms"``), filled with seed 003's defaults where not given."""

    simple_queries: str | None = None
    complex_queries: str | None = None
    reports: str | None = None


@dataclass(frozen=True)
class DataVolume:
    initial: str | None = None
    growth_rate: str | None = None  # "10% monthly", read by the seed plan's time window


@dataclass(frozen=True)
class PerformanceTargets:
    """The task input's performance targets, as given (nothing defaulted)."""

    concurrent_users: int | None = None
    read_operations_per_second: int | None = None
    write_operations_per_second: int | None = None
    data_volume: DataVolume | None = None
    query_performance: LatencyTargets | None = None


@dataclass(frozen=True)
class QueryPattern:
    """A query the application runs (task input ``query_patterns``): bench runs it, the designer indexes it."""

    name: str
    sql: str | None = None
    description: str | None = None
    frequency: float | None = None
    target_latency: str | None = None


@dataclass(frozen=True)
class Integration:
    orm_framework: str | None = None
    api_layer: str | None = None
    caching_layer: str | None = None
    search_engine: str | None = None
    analytics_tools: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplicationRule:
    """A business rule without a check expression: the database cannot enforce it, the application must."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class SessionSettings:
    """The names of the session settings the generated SQL reads (``current_setting(...)``)."""

    user: str = ""
    tenant: str = ""
    key: str = ""  # the encryption key, set per transaction by the application


@dataclass(frozen=True)
class SecurityFacts:
    """What the security design decided (design/security.py); verify, the security docs, the pgTAP tests and
    the configuration read it. Entries of ``rls``, ``encrypted``, ``erasure`` and ``audit`` are plain
    dicts with the keys design/security.py writes (``rls[table]``: basis, columns, setting or parent and
    parent_columns, policy; ``encrypted``: table, column; ``erasure``: function, table, key, tables, columns (the subject's erased ones);
    ``audit``: table, tables, function, partitioned, partition_function, redacted, yearly_rows)."""

    role_prefix: str = ""
    classification: str | None = None
    compliance_standards: list[str] = field(default_factory=list)
    access_control: str = "role_based"
    at_rest: bool = False
    in_transit: bool = False
    session_settings: SessionSettings = field(default_factory=SessionSettings)
    function_roles: dict[str, list[str]] = field(default_factory=dict)  # function -> role suffixes allowed
    rls: dict[str, dict] = field(default_factory=dict)
    encrypted: list[dict] = field(default_factory=list)
    masked_views: dict[str, str] = field(default_factory=dict)  # table -> its masking view
    decrypted_views: dict[str, str] = field(default_factory=dict)  # table -> its decrypting view
    erasure: list[dict] = field(default_factory=list)
    pii: dict[str, list[str]] = field(default_factory=dict)  # table -> personal-data columns
    secrets: dict[str, list[str]] = field(default_factory=dict)  # table -> credential columns
    audit: dict | None = None
    admin_bypass: bool = False  # the admin role sees every row through declared pol_<table>_admin policies
    # how the tenant setting is bound: {kind: membership, function, table, ...} or {kind: trust_boundary, setting}
    tenant_binding: dict = field(default_factory=dict)

    @classmethod
    def from_builder(cls, facts: dict) -> SecurityFacts:
        """The facts design/security.py collected in a dict while it worked (``settings``: the session
        setting names)."""
        data = dict(facts)
        session = data.pop("settings", None) or {}
        return cls(session_settings=SessionSettings(**session), **data)


@dataclass(frozen=True)
class NonOverlapping:
    """A compiled business rule: rows of ``table`` with the same ``key`` never have overlapping periods
    ``[start, end)`` (design/rules/overlap.py); synthetic data (datagen) must honour it too."""

    table: str
    key: str
    start: str
    end: str


@dataclass(frozen=True)
class StatusTransitions:
    """A compiled business rule: ``column`` of ``table`` changes only along ``pairs`` (from, to), a BEFORE UPDATE
    trigger (design/rules/transitions.py); the workload bench runs changes only along them, as an application does."""

    table: str
    column: str
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class BalancedSums:
    """A compiled business rule: per value of ``key``, the sum of ``left`` equals the sum of ``right`` over the
    rows of ``table``, checked at commit by a deferred constraint trigger (design/rules/balanced.py);
    synthetic data (datagen) must honour it too."""

    table: str
    key: str
    left: str
    right: str
    trigger: str


@dataclass(frozen=True)
class ExactlyOne:
    """A compiled business rule: exactly one of ``left``, ``right`` is present in each row of ``table`` (non-zero
    when ``numeric``, else non-NULL), a CHECK (design/rules/either_or.py); datagen pairs the rows of a
    balanced-sums rule over the same columns so both hold."""

    table: str
    left: str
    right: str
    numeric: bool


@dataclass(frozen=True)
class SameScope:
    """A compiled business rule: the rows that ``table``'s two references ``column`` (into ``via``) and ``owner``
    (into ``owner_table``) point at have the same scope (``via.via_scope`` = ``owner_table.owner_scope``),
    checked at commit by deferred constraint triggers (design/rules/same_parent.py); seed repoints ``column``
    at a row of the owner's scope after the load."""

    table: str
    column: str
    via: str
    via_scope: str
    owner: str
    owner_table: str
    owner_scope: str
    triggers: tuple[str, ...]  # (on table, on via, on owner_table)


@dataclass(frozen=True)
class OrderedAfterParent:
    """A compiled business rule: ``table.column op parent.parent_column`` for the parent row ``key`` references
    (a unit expires after its donation), checked at commit by deferred constraint triggers on both tables
    (design/rules/event_order.py); seed moves violating values after the load."""

    table: str
    column: str
    op: str  # > >= < <=
    key: str
    parent: str
    parent_key: str
    parent_column: str
    triggers: tuple[str, ...]  # (on table, on parent)
    unit: str = "interval '1 day'"  # one step away from the parent's value: a day for dates, 1 for amounts
    own_cast: str = ""  # "::date": a timestamptz compared with the dates of a window (on its last day is within)
    spread: int = 60  # seed moves a violating value 0..spread-1 steps past the bound; 1: onto it (a window's two bounds)


@dataclass(frozen=True)
class ChildSum:
    """A compiled business rule: ``parent.column`` equals the sum of ``child.summed`` over the child rows whose
    ``child_key`` references it (``parent_key``), checked at commit by deferred constraint triggers on both
    tables (design/rules/child_sum.py); seed recomputes the parent column (and what is derived from it)."""

    parent: str
    parent_key: str
    column: str
    child: str
    child_key: str
    summed: str
    triggers: tuple[str, ...]  # (the child's trigger, the parent's trigger)


@dataclass(frozen=True)
class ChildCount:
    """A compiled business rule: at most ``limit`` (or the parent's ``bound`` column) rows of ``child`` (with the
    boolean ``flag`` when given) per parent row, checked by row triggers that lock the parent
    (design/rules/child_count.py); seed clears the flag of, or removes, the rows past the limit after the load
    (or raises the parent's bound to the count)."""

    parent: str
    parent_key: str
    child: str
    child_key: str
    flag: str | None
    limit: int | None
    bound: str | None
    triggers: tuple[str, ...]  # (the child's trigger[, the parent's trigger])


@dataclass(frozen=True)
class DesignFacts:
    project: ProjectFacts = field(default_factory=ProjectFacts)
    scale: Scale | None = None
    latency_targets: LatencyTargets | None = None
    data_classification: str | None = None  # public | internal | confidential | restricted
    performance_targets: PerformanceTargets | None = None
    query_patterns: tuple[QueryPattern, ...] = ()
    integration: Integration | None = None
    application_rules: tuple[ApplicationRule, ...] = ()
    business_rules: int = 0  # business rules declared in the input (with or without a check)
    # tenant isolation (design/tenancy.py): root, root_key, tables {table: tenant column}, global {table: why}
    tenancy: dict = field(default_factory=dict)
    non_overlapping: tuple[NonOverlapping, ...] = ()
    status_transitions: tuple[StatusTransitions, ...] = ()
    balanced_sums: tuple[BalancedSums, ...] = ()
    child_sums: tuple[ChildSum, ...] = ()
    exactly_one: tuple[ExactlyOne, ...] = ()
    same_scope: tuple[SameScope, ...] = ()
    ordered_after_parent: tuple[OrderedAfterParent, ...] = ()
    child_counts: tuple[ChildCount, ...] = ()
    security: SecurityFacts | None = None  # None: no security design (the stage did not run)
