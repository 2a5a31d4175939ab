"""The seeding plan: how many rows each table gets and how each column's values are made.

Keys are functions of the row index, so a child samples a parent *index* (skewed: a few parents get
many children) and computes that parent's key; nothing is kept per parent row and memory stays flat
however many rows are generated. Unique constraints hold by construction: one free column of each
is made distinct, or, when all its columns are references or small value sets, rows enumerate the
combinations (capping the row count at their number).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from dataclasses import dataclass, field

from schemawright.dialects.base import table_order
from schemawright.errors import SchemawrightError
from schemawright.model.names import quote_ident
from schemawright.model.schema import Column, ForeignKey, Schema, Table
from schemawright.model.types import Kind
from schemawright.datagen.columns import (
    MIX, Batch, Choice, Const, Gen, Nullable, Pure, column_generator, null_fraction, one_sided_balance,
)
from schemawright.datagen.pools import NULL, Pools, TimeWindow, monthly_growth
from schemawright.datagen.rules import ColumnRules, derived_columns, table_rules

DEFAULT_ROWS = 10_000
KEY_CACHE_ROWS = 200_000  # parents this small keep their keys in a list (~100 bytes a key)
_DISTINCT_KINDS = {Kind.UUID, Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT, Kind.NUMERIC, Kind.TEXT, Kind.VARCHAR,
                   Kind.CHAR, Kind.CITEXT, Kind.INET, Kind.CIDR, Kind.TIMESTAMP, Kind.TIMESTAMPTZ}


class SeedError(SchemawrightError):
    """The plan cannot produce valid rows for a table."""

    exit_code = 4


@dataclass(eq=False)
class RefGroup:
    """The columns of one foreign key, filled from parent rows."""

    fk: ForeignKey
    parent: TablePlan
    nullable: bool
    salt: int
    null_share: float = 0.0
    self_ref: bool = False  # a reference to the same table: a row points at an earlier one, never itself
    avoid: RefGroup | None = None  # a reference to the same parent this one must differ from (CHECK a <> b)
    paired: bool = False  # rows 2k and 2k+1 share their parent (a balanced pair of one-sided rows)
    # the key of a non-overlap rule (NonOverlapping): rows n*j .. n*j+n-1 take every parent row once each, in
    # an order of their own ((i * spread + salt) mod n, spread coprime to n), so row i is period i // n of its
    # parent and the periods of one parent never overlap; 0: the skewed draw
    spread: int = 0

    def parent_indices(self, indices) -> list[int | None]:
        """Skewed parent row indices (density ~ u^-2/3: a few parents get many children), or None."""
        n, salt, share = self.parent.rows, self.salt, int(self.null_share * 65536)
        if n == 0:
            return [None] * len(indices)
        if self.spread:
            return [(i * self.spread + salt) % n for i in indices]
        m64 = 0xFFFFFFFFFFFFFFFF
        out = []
        for i in indices:
            x = ((i >> 1 if self.paired else i) * MIX + salt) & m64
            x ^= x >> 29
            x = (x * 0xBF58476D1CE4E5B9) & m64
            size = min(n, i) if self.self_ref else n
            if share and (x & 0xFFFF) < share or size == 0:
                out.append(None if self.nullable or not self.self_ref else i)
            else:
                j = int(size * ((x >> 16) / 281474976710656.0) ** 3)
                out.append(min(j, size - 1))
        if self.avoid is not None and n > 1 and not self.self_ref:
            # the same row as the other reference: take the next parent row instead
            out = [(j + 1) % n if j is not None and j == o else j
                   for j, o in zip(out, self.avoid.parent_indices(indices))]
        return out

    def columns_for(self, parent_idx: list[int | None]) -> dict[str, list[str]]:
        present = [j for j in parent_idx if j is not None]
        out = {}
        for col, ref in zip(self.fk.columns, self.fk.ref_columns):
            keys = iter(self.parent.key_at(ref, present))
            out[col] = [NULL if j is None else next(keys) for j in parent_idx] if len(present) < len(parent_idx) \
                else list(keys)
        return out


@dataclass
class Enumeration:
    """Rows enumerate the combinations of a unique key's components (references and value sets)."""

    components: list  # RefGroup or (column name, list of values)
    stride: int
    offset: int
    # (p, q): components p < q with the same values that must differ (CHECK a <> b): q takes one value
    # fewer and skips p's, a bijection onto the pairs that differ
    differ: dict[int, int] = field(default_factory=dict)  # q -> p

    @property
    def capacity(self) -> int:
        return math.prod(self._size(c) - (d in self.differ) for d, c in enumerate(self.components))

    @staticmethod
    def _size(c) -> int:
        return c.parent.rows if isinstance(c, RefGroup) else len(c[1])

    def columns_at(self, indices) -> dict[str, list[str]]:
        cap = self.capacity
        digits: list[list[int]] = [[] for _ in self.components]
        sizes = [self._size(c) - (d in self.differ) for d, c in enumerate(self.components)]
        for i in indices:
            x = (i * self.stride + self.offset) % cap
            for d, size in enumerate(sizes):
                digits[d].append(x % size)
                x //= size
        for q, p in self.differ.items():
            digits[q] = [v + (v >= w) for v, w in zip(digits[q], digits[p])]
        out: dict[str, list[str]] = {}
        for c, ds in zip(self.components, digits):
            if isinstance(c, RefGroup):
                out.update(c.columns_for(ds))
            else:
                out[c[0]] = [c[1][d] for d in ds]
        return out


@dataclass
class TablePlan:
    table: Table
    rows: int
    seed: int
    columns: list[str] = field(default_factory=list)  # COPY column order
    gens: dict[str, Gen] = field(default_factory=dict)
    refs: list[RefGroup] = field(default_factory=list)
    enumeration: Enumeration | None = None
    order: list[str] = field(default_factory=list)  # generation order of gens
    notes: list[str] = field(default_factory=list)
    partial_uniques: list[PartialUnique] = field(default_factory=list)  # fixed up after the COPY
    _keys: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.table.name

    def key_at(self, column: str, indices) -> list[str]:
        """Values of ``column`` at the given row indices (``column`` is a key: a function of the index).
        Keys of tables up to KEY_CACHE_ROWS rows are computed once into a list."""
        cached = self._keys.get(column)
        if cached is None and self.rows <= KEY_CACHE_ROWS:
            cached = self._keys[column] = self._key_at(column, range(self.rows))
        if cached is not None:
            return list(map(cached.__getitem__, indices))
        return self._key_at(column, indices)

    def _key_at(self, column: str, indices) -> list[str]:
        if self.enumeration is not None:
            cols = self.enumeration.columns_at(indices)
            if column in cols:
                return cols[column]
        for ref in self.refs:
            if column in ref.fk.columns:
                return ref.columns_for(ref.parent_indices(indices))[column]
        gen = self.gens[column]
        if type(gen).at is Gen.at:  # drawn at random (a value set): a referencing row cannot know the value of row i
            raise SeedError(f"{self.name}.{column} is referenced by a foreign key but its values are drawn at random "
                            f"({type(gen).__name__}), not derived from the row: referencing rows cannot be generated; "
                            "reference the primary key instead")
        return gen.at(indices)

    def batch(self, start: int, count: int) -> dict[str, list[str]]:
        b = Batch(start=start, count=count, rng=random.Random(f"{self.seed}:{self.name}:{start}"), total=self.rows)
        if self.enumeration is not None:
            b.cols.update(self.enumeration.columns_at(b.idx))
        for ref in self.refs:
            if not all(c in b.cols for c in ref.fk.columns):
                b.cols.update(ref.columns_for(ref.parent_indices(b.idx)))
        for name in self.order:
            b.cols[name] = self.gens[name].values(b)
        return b.cols

    def block(self, start: int, count: int) -> bytes:
        """Rows ``start .. start+count-1`` in COPY text format."""
        cols = self.batch(start, count)
        return ("\n".join(map("\t".join, zip(*(cols[c] for c in self.columns)))) + "\n").encode()


@dataclass
class SeedPlan:
    schema: Schema
    tables: list[TablePlan]
    seed: int
    scale: float
    window: TimeWindow

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def table(self, name: str) -> TablePlan:
        return next(t for t in self.tables if t.name == name)


REFERENCE_ROWS = 1_000  # a referenced table this small is reference data (currencies, plans): loaded whole
AUDIT_RULE = "security.audit"


def is_audit_trail(table: Table) -> bool:
    """The audit table the security design adds: it holds what the audit triggers write, nothing invented."""
    return table.kind == "log" and table.origin.rule == AUDIT_RULE


def target_rows(table: Table, scale: float, referenced: bool = False) -> int:
    """Rows for ``table`` at ``scale``: estimated_rows x scale, except the audit trail (none: its rows
    come from the triggers) and reference data, loaded at its real size: lookup and reference tables,
    and referenced tables of at most REFERENCE_ROWS estimated rows (a unique domain caps it further)."""
    if is_audit_trail(table):
        return 0
    estimated = table.estimated_rows if table.estimated_rows is not None else DEFAULT_ROWS
    rows = max(1, round(estimated * scale)) if estimated else 0
    if table.kind in ("lookup", "reference") or (referenced and estimated <= REFERENCE_ROWS):
        rows = max(rows, estimated)
    return rows


def build_plan(schema: Schema, *, scale: float = 0.01, seed: int = 42, until: dt.date | None = None,
               rows: dict[str, int] | None = None, pools: Pools | None = None, months: int = 24,
               max_rows: int | None = None) -> SeedPlan:
    """Plan rows for every table of ``schema`` (``rows`` overrides the count of named tables; no table
    gets more than ``max_rows``)."""
    perf = schema.facts.performance_targets
    growth = monthly_growth(perf.data_volume.growth_rate if perf and perf.data_volume else None)
    window = TimeWindow(until or dt.date.today(), months=months, monthly_growth=growth)
    pools = pools or Pools(seed=seed)
    ordered, _ = table_order(schema)
    plans: dict[str, TablePlan] = {}
    rng = random.Random(seed)
    out = []
    referenced = {fk.ref_table for t in schema.tables for fk in t.foreign_keys if fk.ref_table != t.name}
    seen = {id(t) for t in ordered}  # by identity: comparing whole tables is slow and quadratic here
    for table in ordered + [t for t in schema.tables if id(t) not in seen]:
        count = (rows or {}).get(table.name, target_rows(table, scale, table.name in referenced))
        if table.partition_of is not None:  # a partition read from a catalog: its rows arrive through its parent
            count = 0
        plan = TablePlan(table=table, rows=count, seed=seed)
        if table.partition_of is not None:
            plan.notes.append(f"a partition of {table.partition_of}: loaded through it (PostgreSQL routes each row)")
        if max_rows is not None and count > max_rows:
            plan.rows = max_rows
            plan.notes.append(f"capped at {max_rows:,} rows (scale gives {count:,})")
        plans[table.name] = plan
        _plan_table(schema, plan, plans, pools, window, rng)
        out.append(plan)
    return SeedPlan(schema=schema, tables=out, seed=seed, scale=scale, window=window)


def _plan_table(schema: Schema, plan: TablePlan, plans: dict[str, TablePlan], pools: Pools,
                window: TimeWindow, rng: random.Random) -> None:
    table = plan.table
    rules = table_rules(table)
    groups: dict[str, RefGroup] = {}
    # the widest key first: (tenant_id, project_id) fills tenant_id from the project, so (tenant_id) agrees
    unset: set[str] = set()  # columns of a reference into a table loaded later (a cycle): left NULL
    def keeps_own(fk) -> bool:  # (k, parent_id) -> same table (k, id): k is each row's own value
        return fk.ref_table == table.name and bool(set(fk.columns) & set(fk.ref_columns))

    for fk in sorted(table.foreign_keys, key=lambda f: (keeps_own(f), -len(f.columns))):
        if fk.ref_table not in plans and fk.ref_table != table.name and not any(c in groups for c in fk.columns):
            # the parent is loaded after this table (the reference closes a cycle): no key of it exists yet
            if not all(table.column(c).nullable for c in fk.columns):
                raise SeedError(f"{table.name}: {fk.name} references {fk.ref_table}, loaded later (a reference "
                                "cycle), and its columns are NOT NULL")
            unset |= set(fk.columns)
            plan.notes.append(f"{fk.name}: left NULL ({fk.ref_table} is loaded later: a reference cycle)")
            continue
        if keeps_own(fk):
            # a self reference carrying a column of the row's own (a tenant or distribution column): a parent row
            # would have to share that value; the row points at no other row instead (MATCH SIMPLE: a NULL in
            # the reference skips the check), and the shared column is filled like any other column
            own = [c for c in fk.columns if c not in fk.ref_columns and c not in groups]
            if own and all(table.column(c).nullable for c in own):
                unset |= set(own)
                plan.notes.append(f"{fk.name}: left NULL (a self reference through {', '.join(fk.ref_columns)}: "
                                  "no row points at another)")
                continue
        if any(c in groups for c in fk.columns):
            plan.notes.append(f"{fk.name}: columns shared with another foreign key; filled by the first")
            continue
        parent = plans.get(fk.ref_table, plan)
        nullable = all(table.column(c).nullable for c in fk.columns)
        share = null_fraction(table.column(fk.columns[0])) if nullable else 0.0
        group = RefGroup(fk=fk, parent=parent, nullable=nullable, salt=rng.getrandbits(48), null_share=share,
                         self_ref=parent is plan)
        if parent.rows == 0 and not nullable:
            plan.notes.append(f"no rows: {fk.ref_table} has none to reference")
            plan.rows = 0
        for c in fk.columns:
            groups[c] = group
    plan.refs = list(dict.fromkeys(groups.values()))
    paired = one_sided_balance(schema, table)
    if paired is not None and paired.key in groups and not groups[paired.key].self_ref \
            and len(groups[paired.key].fk.columns) == 1:
        # debits equal credits per entry, and a posting has a debit or a credit, never both: rows come in pairs
        # of one entry, the value on the left side of the first row and on the right side of the second
        groups[paired.key].paired = True
        if plan.rows % 2:
            plan.rows -= 1
            plan.notes.append(f"{plan.rows:,} rows: an even count, in pairs of one {paired.key} "
                              f"({paired.left} in one row, {paired.right} in the other)")
    for c, r in rules.items():  # CHECK (a <> b) between two references to the same parent rows
        for other in r.differs:
            a, b = groups.get(c), groups.get(other)
            if a is not None and b is not None and a is not b and b.avoid is not a and _same_parent(a, b):
                a.avoid = b
    if plan.rows == 0:
        plan.columns = [c.name for c in table.columns if c.generated is None]
        return
    distinct = _unique_strategy(schema, plan, rules, groups, rng, window)
    period_keys = _spread_periods(schema, plan, groups, distinct, window)
    # operands of a NOT NULL derived column (total = subtotal + fee) are never NULL: the sum would be
    operands = {d for column in table.columns if not column.nullable and column.name in rules
                and rules[column.name].derived is not None for d in derived_columns(rules[column.name].derived)}
    # the summed columns of a balanced-sums rule hold equal values in every row: never NULL on one side only
    operands |= {c for b in schema.facts.balanced_sums if b.table == table.name for c in (b.left, b.right)}
    time_col = _ordered_time_column(table)
    for column in table.columns:
        if column.generated is not None:
            continue
        plan.columns.append(column.name)
        if column.name in groups or (plan.enumeration and column.name in _enumerated(plan.enumeration)):
            continue
        if column.name in unset:
            plan.gens[column.name] = Const(NULL)
            continue
        gen = column_generator(schema, table, column, rules.get(column.name, ColumnRules()), pools, window, rng,
                               column.name in distinct, time_col, plan.rows, period_keys)
        if column.nullable and column.default is None and column.name not in distinct | operands:
            gen = Nullable(gen, null_fraction(column))
        plan.gens[column.name] = gen
    _partial_uniques_hold(plan, rules)
    plan.order = _generation_order(plan)
    for name in distinct:
        cap = getattr(plan.gens.get(name), "pool", None)
        if isinstance(plan.gens.get(name), Pure) and cap is not None and len(cap) < plan.rows:
            plan.notes.append(f"{name}: only {len(cap)} distinct values satisfy its check")
            plan.rows = len(cap)


def _spread_periods(schema: Schema, plan: TablePlan, groups: dict[str, RefGroup], distinct: set[str],
                    window: TimeWindow) -> int:
    """A non-overlap rule (design/rules/overlap.py) keyed by a reference: the rows are spread evenly over the
    parent rows (``RefGroup.spread``) and each parent's periods follow one another, so the table reaches its
    row count (rooms x stays, not one stay per day for the whole table). Returns the number of keys the
    periods are spread over (1: the periods follow one another across the whole table); the row count is
    capped when a date period (at most a day every two days) leaves too few slots per key."""
    table = plan.table
    period = next((p for p in schema.facts.non_overlapping if p.table == table.name), None)
    if period is None or not table.has_column(period.start):
        return 1
    group = groups.get(period.key)
    keys = 1
    if group is not None and not (group.self_ref or group.paired or group.avoid is not None) \
            and group.parent.rows > 1 and not {period.start, period.end} & distinct \
            and not any(g.avoid is group for g in groups.values()) \
            and not (plan.enumeration and set(group.fk.columns) & _enumerated(plan.enumeration)):
        keys = group.parent.rows
        group.spread = _coprime_stride(keys, random.Random(group.salt))
        group.null_share = 0.0
        group.salt %= keys
    if table.column(period.start).type.kind == Kind.DATE and plan.rows > keys * (window.span // (2 * 86400)):
        plan.rows = int(keys * (window.span // (2 * 86400)))  # one period of at most a day every two days
        per = f"per {period.key}, " if keys > 1 else ""
        plan.notes.append(f"capped at {plan.rows:,} rows: periods of {period.key} never overlap "
                          f"({period.start}..{period.end}), {per}one day each in the time window")
    if keys > 1:
        plan.notes.append(f"{period.key}: rows spread evenly over the {keys:,} {group.parent.name} rows, "
                          f"{-(-plan.rows // keys):,} periods ({period.start}..{period.end}) each at most")
    return keys


def _same_parent(a: RefGroup, b: RefGroup) -> bool:
    """Two single-column references to the same column of the same parent rows."""
    return a.parent is b.parent and len(a.fk.columns) == 1 and a.fk.ref_columns == b.fk.ref_columns


def _enumerated(e: Enumeration) -> set[str]:
    names: set[str] = set()
    for c in e.components:
        names |= set(c.fk.columns) if isinstance(c, RefGroup) else {c[0]}
    return names


def _finite_domain(schema: Schema, column: Column, rules: ColumnRules,
                   window: TimeWindow | None = None) -> list[str] | None:
    """The column's values when there are few enough to enumerate (IN sets, enums, booleans, and with
    ``window`` the days of the time window for a date)."""
    if rules.values:
        return list(rules.values)
    if column.type.kind == Kind.ENUM and schema.enum(column.type.name):
        return list(schema.enum(column.type.name).values)
    if column.type.kind == Kind.BOOLEAN:
        return ["t", "f"]
    if window is not None and column.type.kind == Kind.DATE and not column.type.array_dims \
            and rules.lo is None and rules.hi is None and not rules.after and not rules.patterns:
        return list(window.days)
    return None


def _unique_strategy(schema: Schema, plan: TablePlan, rules: dict[str, ColumnRules], groups: dict[str, RefGroup],
                     rng: random.Random, window: TimeWindow | None = None) -> set[str]:
    """Columns to make distinct; sets ``plan.enumeration`` for a key made only of references/value sets."""
    table = plan.table
    keys = ([table.primary_key.columns] if table.primary_key else []) + [u.columns for u in table.uniques]
    keys += [ix.columns for ix in table.indexes if ix.unique and ix.where is None
             and all(e.column is not None for e in ix.elements)]
    distinct: set[str] = set()
    for key in keys:
        if distinct & set(key) or (plan.enumeration and set(key) >= _enumerated(plan.enumeration)):
            continue
        free = [c for c in key if c not in groups and table.column(c).generated is None
                and _finite_domain(schema, table.column(c), rules.get(c, ColumnRules())) is None
                and not (rules.get(c) and (rules[c].derived is not None or rules[c].after))
                and table.column(c).type.kind in _DISTINCT_KINDS and not table.column(c).type.array_dims]
        if free:
            distinct.add(free[0])
            continue
        if plan.enumeration is not None:
            plan.notes.append(f"unique key ({', '.join(key)}) not enforced by construction")
            continue
        components: list = []
        for c in key:
            if c in groups:
                if groups[c] not in components:
                    components.append(groups[c])
            else:
                dom = _finite_domain(schema, table.column(c), rules.get(c, ColumnRules()), window)
                if dom is None:
                    raise SeedError(f"{table.name}: cannot make unique key ({', '.join(key)}) distinct")
                components.append((c, dom))
        e = Enumeration(components=components, stride=1, offset=0)
        for q, cq in enumerate(components):  # CHECK (a <> b) between two references in the key
            for p, cp in enumerate(components[:q]):
                if isinstance(cp, RefGroup) and isinstance(cq, RefGroup) and _same_parent(cp, cq) \
                        and q not in e.differ and cp.parent.rows > 1 and (
                        cq.fk.columns[0] in rules.get(cp.fk.columns[0], ColumnRules()).differs):
                    e.differ[q] = p
        cap = e.capacity
        e.stride = _coprime_stride(cap, rng)
        e.offset = rng.randrange(cap) if cap else 0
        plan.enumeration = e
        if plan.rows > cap:
            plan.notes.append(f"{plan.rows:,} rows requested; ({', '.join(key)}) allows {cap:,} distinct combinations")
            plan.rows = cap
    return distinct


_BOOL_PRED = re.compile(r'^\(?"?(\w+)"?\)?$')
_EQ_PRED = re.compile(r"""^\(?"?(\w+)"?\s*=\s*'((?:[^']|'')*)'(?:::\w+)?\)?$""")
_NOT_NULL_PRED = re.compile(r'^\(?"?(\w+)"?\s+IS\s+NOT\s+NULL\)?$', re.I)
_NULL_PRED = re.compile(r'^\(?"?(\w+)"?\s+IS\s+NULL\)?$', re.I)


def _inner(gen):
    return gen.inner if isinstance(gen, Nullable) else gen


@dataclass(frozen=True)
class PartialUnique:
    """A partial unique index the seed makes hold after the COPY: its predicate stays as generated for
    one row per key and is switched off (``column`` set to ``off``, an SQL literal or NULL) in the others,
    so the data exercises the predicate (true once per key) without breaking the index."""

    index: str
    keys: tuple[str, ...]  # SQL of the index's keys: quoted columns, parenthesized expressions (model deparse)
    predicate: str
    column: str
    off: str | None  # None: NULL
    off_sql: bool = False  # ``off`` is an SQL expression over the row (the model's quoted columns), not a literal


def _filled_value(table: Table, column: Column, rules: ColumnRules) -> str | None:
    """SQL for a value of an optional column the seed left NULL, switching off a partial unique index WHERE
    <column> IS NULL ("at most one shipment without returned_on per keg fill"): the latest of the columns it
    must follow (returned_on >= shipped_on), a step later when strictly, else any value the column holds in
    another row (it passes the column's own checks); None when there is no such expression."""
    later = {Kind.DATE: "1", Kind.TIMESTAMPTZ: "interval '1 second'", Kind.TIMESTAMP: "interval '1 second'"}
    q = quote_ident
    other = (f"(SELECT o.{q(column.name)} FROM {q(table.schema)}.{q(table.name)} AS o "
             f"WHERE o.{q(column.name)} IS NOT NULL LIMIT 1)")
    after = [(c, strict) for c, strict in rules.after if table.has_column(c)]
    if after and column.type.kind in later:
        greatest = f"GREATEST({', '.join(q(c) for c, _ in after)})"
        step = f" + {later[column.type.kind]}" if any(strict for _, strict in after) else ""
        return f"COALESCE({greatest}{step}, {other})"
    if column.type.kind == Kind.BOOLEAN:
        return None
    return other


def _partial_uniques_hold(plan: TablePlan, rules: dict[str, ColumnRules] | None = None) -> None:
    """A partial unique index ("at most one primary address per customer": UNIQUE (customer_id) WHERE
    is_primary) holds by a fix-up after the COPY (``PartialUnique``): the predicate's boolean, status value
    or optional column is generated as usual, then kept true for one row per key only. Other predicates
    are kept false when their form allows, else noted."""
    table = plan.table
    for ix in table.indexes:
        if not ix.unique or ix.where is None:
            continue
        text = str(ix.where).strip()
        keys = tuple(e.column for e in ix.elements if e.column is not None)
        key_sql = tuple(quote_ident(e.column) if e.column is not None else f"({e.expression})" for e in ix.elements)
        if (m := _BOOL_PRED.match(text)) and table.has_column(m.group(1)) \
                and table.column(m.group(1)).type.kind == Kind.BOOLEAN and m.group(1) in plan.gens:
            fix = PartialUnique(ix.name, key_sql, text, m.group(1), "false")
        elif (m := _EQ_PRED.match(text)) and isinstance(_inner(plan.gens.get(m.group(1))), Choice):
            value = m.group(2).replace("''", "'")
            rest = [v for v in _inner(plan.gens[m.group(1)]).pool if v != value]
            if not rest:
                plan.notes.append(f"{ix.name}: every value of {m.group(1)} satisfies its predicate")
                continue
            fix = PartialUnique(ix.name, key_sql, text, m.group(1), rest[0])
        elif (m := _NOT_NULL_PRED.match(text)) and table.has_column(m.group(1)) \
                and table.column(m.group(1)).nullable and m.group(1) in plan.gens:
            fix = PartialUnique(ix.name, key_sql, text, m.group(1), None)
        elif (m := _NULL_PRED.match(text)) and table.has_column(m.group(1)) and m.group(1) in plan.gens \
                and (off := _filled_value(table, table.column(m.group(1)), (rules or {}).get(m.group(1), ColumnRules()))):
            # WHERE col IS NULL (an open shipment): the other rows of a key get a value, the first stays open
            fix = PartialUnique(ix.name, key_sql, text, m.group(1), off, off_sql=True)
        elif (free := [k for k in keys if table.column(k).nullable and k in plan.gens
                       and not any(k in fk.columns for fk in table.foreign_keys)]):
            # a predicate the seed cannot switch off (status IS DISTINCT FROM 'cancelled'): the surplus rows
            # of a key lose their optional key column instead (NULL keys never collide)
            plan.partial_uniques.append(PartialUnique(ix.name, key_sql, text, free[-1], None))
            plan.notes.append(f"{ix.name}: at most one row per ({', '.join(e.label for e in ix.elements)}) where "
                              f"{text}, the others without {free[-1]}")
            continue
        else:
            plan.notes.append(f"{ix.name}: partial unique index (WHERE {text}) not enforced by construction")
            continue
        if fix.column in keys:
            plan.notes.append(f"{ix.name}: its predicate column {fix.column} is also a key column")
            continue
        plan.partial_uniques.append(fix)
        plan.notes.append(f"{ix.name}: its predicate ({text}) holds for at most one row per "
                          f"({', '.join(e.label for e in ix.elements)}), as generated for the first")


def _coprime_stride(n: int, rng: random.Random) -> int:
    if n <= 2:
        return 1
    while True:
        s = rng.randrange(n // 3 + 1, n)
        if math.gcd(s, n) == 1:
            return s


def _ordered_time_column(table: Table) -> str | None:
    """The column that records insertion time: rows get increasing values, like a table filled over time."""
    if table.has_column("created_at"):
        return "created_at"
    for c in table.columns:
        if c.type.kind in (Kind.TIMESTAMPTZ, Kind.TIMESTAMP) and not c.nullable:
            return c.name
    return None


def _generation_order(plan: TablePlan) -> list[str]:
    done = set(plan.columns) - set(plan.gens)
    order, pending = [], list(plan.gens)
    while pending:
        ready = [n for n in pending if all(d in done or not plan.table.has_column(d) for d in plan.gens[n].depends)]
        if not ready:
            raise SeedError(f"{plan.name}: columns depend on each other in a cycle: {', '.join(pending)}")
        order += ready
        done |= set(ready)
        pending = [n for n in pending if n not in ready]
    return order
