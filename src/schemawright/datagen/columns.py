"""Column value generators, chosen by type, name (meaning) and the table's CHECK rules.

Every generator returns COPY text values for a batch of row indices. A *distinct* generator is a
pure function of the row index (``at``): its values never repeat, and a child table can compute
the key of any parent row from its index alone, so no parent keys are kept in memory.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from schemawright.datagen.pools import NULL, Pools, TimeWindow, copy_escape
from schemawright.datagen.rows import compact_token
from schemawright.datagen.rules import ColumnRules, derived_columns, evaluate, table_rules
from schemawright.model.schema import Column, Schema, Table
from schemawright.model.types import Kind
from schemawright.regex_sample import matches_all, regex_sample

MIX = 0x9E3779B97F4A7C15  # odd: i * MIX mod 2**64 is a bijection


def mix(i: int, salt: int = 0) -> int:
    """A well-spread 64-bit hash of a row index (pure, cheap)."""
    x = (i * MIX + salt) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 29
    return (x * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF


@dataclass
class Batch:
    """One batch being generated: row indices, the random source, and the columns made so far."""

    start: int
    count: int
    rng: random.Random
    total: int
    cols: dict[str, list[str]] = field(default_factory=dict)
    secs: dict[str, list[float | None]] = field(default_factory=dict)  # instants behind time columns

    @property
    def idx(self) -> range:
        return range(self.start, self.start + self.count)


class Gen:
    distinct = False
    depends: tuple[str, ...] = ()

    def values(self, b: Batch) -> list[str]:
        raise NotImplementedError

    def at(self, indices) -> list[str]:
        raise TypeError(f"{type(self).__name__} is not a function of the row index")

    def domain(self) -> list[str] | None:
        """All possible values when there are few (IN sets, enums, booleans)."""
        return None


class Const(Gen):
    def __init__(self, value: str):
        self.value = value

    def values(self, b: Batch) -> list[str]:
        return [self.value] * b.count


class Choice(Gen):
    """Values drawn from a pool, optionally weighted (first values most frequent)."""

    def __init__(self, pool: list[str], skew: float = 0.0):
        if not pool:
            raise ValueError("empty value pool")
        self.pool = pool
        weights = [1 / (k + 1) ** skew for k in range(len(pool))]
        self.cum = list(itertools.accumulate(weights))

    def values(self, b: Batch) -> list[str]:
        return b.rng.choices(self.pool, cum_weights=self.cum, k=b.count)

    def domain(self) -> list[str] | None:
        return self.pool if len(self.pool) <= 64 else None


class Pure(Gen):
    """value = fn(row index): distinct when ``fn`` is injective."""

    distinct = True

    def __init__(self, fn):
        self.fn = fn

    def values(self, b: Batch) -> list[str]:
        return list(map(self.fn, b.idx))

    def at(self, indices) -> list[str]:
        return list(map(self.fn, indices))


class _Same(Pure):
    """value = fn(row index), repeating: two columns with the same ``fn`` agree in every row."""

    distinct = False


class Joint(Gen):
    """Column ``position`` of combinations drawn together: every column of one combination pool picks the
    same combination for a row (a pure function of the row index and ``salt``), so values that satisfy a
    CHECK together stay together (a repaired ``start < end`` keeps its pairs)."""

    def __init__(self, combinations: list[list[str | None]], position: int, salt: int = 0):
        if not combinations:
            raise ValueError("no combinations")
        self.pool = [NULL if c[position] is None else copy_escape(c[position]) for c in combinations]
        self.salt = salt

    def values(self, b: Batch) -> list[str]:
        n = len(self.pool)
        return [self.pool[mix(i, self.salt) % n] for i in b.idx]

    def at(self, indices) -> list[str]:
        n = len(self.pool)
        return [self.pool[mix(i, self.salt) % n] for i in indices]


class Nullable(Gen):
    def __init__(self, inner: Gen, null_fraction: float):
        self.inner, self.p = inner, null_fraction
        self.depends = inner.depends

    def values(self, b: Batch) -> list[str]:
        vals = self.inner.values(b)
        rnd = b.rng.random
        return [NULL if rnd() < self.p else v for v in vals]


class Instant(Gen):
    """Timestamps/dates in the time window; ``ordered``: increasing with the row index, like inserts."""

    def __init__(self, window: TimeWindow, kind: Kind, name: str, ordered: bool):
        self.window, self.kind, self.name, self.ordered = window, kind, name, ordered

    def seconds(self, b: Batch) -> list[float]:
        rnd, span = b.rng.random, self.window.span
        if self.ordered:
            n = max(b.total, 1)
            us = [min((i + rnd()) / n, 0.999999) for i in b.idx]
        else:
            us = [rnd() * 0.999999 for _ in b.idx]
        a, log = self.window.growth_log, math.log
        if a is None:
            return [u * span for u in us]
        g1 = math.exp(a) - 1  # density grows as exp(a t) over t in [0, 1)
        return [log(1 + u * g1) / a * span for u in us]

    def values(self, b: Batch) -> list[str]:
        secs = self.seconds(b)
        b.secs[self.name] = secs
        return render_instants(self.window, self.kind, secs)


class After(Gen):
    """An instant after another column's (updated_at after created_at, period end after start)."""

    def __init__(self, window: TimeWindow, kind: Kind, name: str, base: str, max_days: float, strict: bool,
                 base_kind: Kind | None = None):
        self.window, self.kind, self.name, self.base = window, kind, name, base
        self.max_s, self.min_s = max_days * 86400, (86400 if kind == Kind.DATE else 1) if strict else 0
        self.depends = (base,)
        # A date after an instant (enrolled_on >= consent_signed_at) is compared as the date's midnight in
        # the session's time zone, an instant after a date as that date's midnight: whatever the zone
        # (UTC-12 .. UTC+14), the day after the instant's day plus 14 h / the date's day plus 14 h hold.
        instants = (Kind.TIMESTAMP, Kind.TIMESTAMPTZ)
        self.to_day = kind == Kind.DATE and base_kind in instants
        self.from_day = kind in instants and base_kind == Kind.DATE

    def values(self, b: Batch) -> list[str]:
        base = b.secs.get(self.base) or [None] * b.count
        rnd, end = b.rng.random, self.window.span - 1
        last_day = (len(self.window.days) - 1) * 86400
        secs = []
        for s in base:
            low = (s if s is not None else rnd() * end) + self.min_s
            if s is not None and self.to_day:
                low = min(math.ceil((low + 14 * 3600) / 86400) * 86400, last_day)
            elif s is not None and self.from_day:
                low = (s // 86400) * 86400 + 14 * 3600 + self.min_s
            if self.kind == Kind.DATE:
                secs.append(min(max(low, min(low + rnd() * self.max_s, end)), last_day))
                continue
            secs.append(max(low, min(low + rnd() * self.max_s, end)))
        b.secs[self.name] = secs
        return render_instants(self.window, self.kind, secs)


class _DistinctInstant(Pure):
    """Distinct increasing instants (a unique timestamp) that also record their seconds, so a column
    that must come after this one (``ends_at > starts_at``) can follow it."""

    def __init__(self, window: TimeWindow, tz: bool, name: str, seconds):
        self.name, self.seconds = name, seconds
        super().__init__(lambda i: window.timestamp(seconds(i), tz))

    def values(self, b: Batch) -> list[str]:
        b.secs[self.name] = [self.seconds(i) for i in b.idx]
        return super().values(b)


class _Periodic(Pure):
    """Dates (or instants) that are a pure function of the row index, recording their seconds."""

    def __init__(self, window: TimeWindow, kind: Kind, name: str, seconds):
        self.name, self.seconds, self.window, self.kind = name, seconds, window, kind
        super().__init__(lambda i: render_instants(window, kind, [seconds(i)])[0])

    def values(self, b: Batch) -> list[str]:
        secs = [self.seconds(i) for i in b.idx]
        b.secs[self.name] = secs
        return render_instants(self.window, self.kind, secs)


def render_instants(window: TimeWindow, kind: Kind, secs) -> list[str]:
    days = window.days
    if kind == Kind.DATE:
        return [days[int(s) // 86400] for s in secs]
    tod, zone = window.tod, "+00" if kind == Kind.TIMESTAMPTZ else ""
    out = []
    for s in secs:
        s = int(s)
        out.append(f"{days[s // 86400]} {tod[s % 86400]}{zone}")
    return out


class Derived(Gen):
    """A numeric column equal to an arithmetic of other columns (``total = subtotal + tax``)."""

    def __init__(self, node, scale: int | None):
        self.node, self.scale = node, scale
        self.depends = tuple(derived_columns(node))

    def values(self, b: Batch) -> list[str]:
        cols = [(c, b.cols[c]) for c in self.depends]
        out = []
        for i in range(b.count):
            row = {c: Decimal(v[i]) for c, v in cols if v[i] != NULL}
            if len(row) < len(cols):
                out.append(NULL)
                continue
            value = evaluate(self.node, row)
            out.append(str(value.quantize(Decimal(1).scaleb(-self.scale)) if self.scale is not None else value))
        return out


# --- numbers ------------------------------------------------------------------------------------
def _limits(column: Column, rules: ColumnRules, default: tuple[float, float]) -> tuple[float, float, int | None]:
    t = column.type
    scale = t.scale if t.kind == Kind.NUMERIC else (0 if t.kind in (Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT) else None)
    step = Decimal(1).scaleb(-scale) if scale is not None else Decimal("0.001")
    lo, hi = default
    if rules.lo is not None:
        lo = float(rules.lo + (step if rules.lo_strict else 0))
        hi = max(hi, lo + (float(step) * 10 if rules.hi is None else 0))
    if rules.hi is not None:
        hi = float(rules.hi - (step if rules.hi_strict else 0))
        lo = min(lo, hi) if rules.lo is None else lo
    cap = {Kind.SMALLINT: 32767, Kind.INTEGER: 2**31 - 1, Kind.BIGINT: 2**62}.get(t.kind)
    if t.kind == Kind.NUMERIC and t.precision is not None:
        cap = 10 ** (t.precision - (t.scale or 0)) - 1
    if cap is not None:
        hi, lo = min(hi, cap), max(lo, -cap)
    return lo, hi, scale


_NUMBER_SHAPES = [  # (name pattern, (lo, hi), shape)
    (re.compile(r"price|amount|total|cost|fee|salary|revenue|budget|balance|subtotal|tax|discount"), (1, 500), "money"),
    (re.compile(r"quantity|qty|stock|inventory|count|units|seats"), (0, 200), "count"),
    (re.compile(r"rating|stars"), (1, 5), "rating"),
    (re.compile(r"percent|rate"), (0, 100), "uniform"),
    (re.compile(r"^age$"), (18, 90), "uniform"),
    (re.compile(r"year"), (1990, 2025), "uniform"),
    (re.compile(r"lat"), (-60, 70), "uniform"),
    (re.compile(r"lng|lon"), (-170, 170), "uniform"),
    (re.compile(r"minutes|seconds|days|duration|estimate"), (5, 480), "count"),
    (re.compile(r"position|sort_order|rank|level|version|priority"), (0, 100), "count"),
]


def number_pool(column: Column, rules: ColumnRules, rng: random.Random, size: int = 4096) -> list[str]:
    name = column.name
    default, shape = (0.0, 1000.0), "uniform"
    if column.type.kind in (Kind.REAL, Kind.DOUBLE):
        default, shape = (0.0, 100.0), "normal"
    for pattern, limits, s in _NUMBER_SHAPES:
        if pattern.search(name):
            default, shape = limits, s
            break
    lo, hi, scale = _limits(column, rules, default)
    if hi < lo:
        raise ValueError(f"{column.name}: no number satisfies the range")
    if scale not in (None, 0):  # the bounds as decimals of the column's scale (made once)
        quantum = Decimal(1).scaleb(-scale)
        lo_q = Decimal(str(lo)).quantize(quantum, rounding="ROUND_CEILING")
        hi_q = Decimal(str(hi)).quantize(quantum, rounding="ROUND_FLOOR")
    out = []
    # a rating: all draws at once (the same values, in the same order, as one draw a value)
    ratings = iter(rng.choices([lo, lo + (hi - lo) * .25, lo + (hi - lo) * .5, lo + (hi - lo) * .75, hi],
                               [5, 5, 15, 35, 40], k=size)) if shape == "rating" else None
    for _ in range(size):
        if shape == "money":
            x = min(max(rng.lognormvariate(3.5, 1.0), lo), hi)
        elif shape == "count":
            x = min(lo + rng.expovariate(1 / max((hi - lo) / 6, 1e-9)), hi)
        elif ratings is not None:
            x = next(ratings)
        elif shape == "normal":
            x = min(max(rng.gauss((lo + hi) / 2, (hi - lo) / 6), lo), hi)
        else:
            x = rng.uniform(lo, hi)
        if scale == 0:
            x = min(max(round(x), int(lo) if lo == int(lo) else int(lo) + 1), int(hi))
            out.append(str(int(x)))
        elif scale is not None:
            out.append(str(min(max(Decimal(str(x)).quantize(quantum), lo_q), hi_q)))
        else:
            out.append(repr(round(x, 4)))
    return out


# --- text ---------------------------------------------------------------------------------------
PERSON_TABLES = re.compile(r"user|customer|member|person|people|employee|student|patient|author|contact|staff")
ORG_TABLES = re.compile(r"organi[sz]ation|compan|vendor|supplier|tenant|merchant|brand|store|shop|team|account")


def _pick(pool: list[str], i: int, salt: int) -> str:
    return pool[mix(i, salt) % len(pool)]


def text_maker(table: Table, column: Column, pools: Pools):
    """fn(row index) -> a realistic text value for the column's meaning (deterministic, not distinct)."""
    name, tname = column.name, table.name
    p = pools
    if "email" in name:
        local, last = _memo(p, ("email_parts",), lambda: ([f.lower() for f in p.first_names],
                                                          [x.lower().replace("'", "") for x in p.last_names]))
        return lambda i: f"{_pick(local, i, 1)}.{_pick(last, i, 2)}@{_pick(p.domains, i, 3)}"
    if name in ("first_name", "given_name"):
        return lambda i: _pick(p.first_names, i, 1)
    if name in ("last_name", "family_name", "surname"):
        return lambda i: _pick(p.last_names, i, 2)
    if name in ("full_name", "display_name", "contact_name") or (name == "name" and PERSON_TABLES.search(tname)):
        return lambda i: f"{_pick(p.first_names, i, 1)} {_pick(p.last_names, i, 2)}"
    if name == "username" or name.endswith("_username"):
        return lambda i: f"{_pick(p.first_names, i, 1).lower()}{_pick(p.last_names, i, 2).lower()[:6]}"
    if name == "name" and ORG_TABLES.search(tname) or name in ("company", "company_name"):
        return lambda i: _pick(p.companies, i, 4)
    if name in ("title", "subject", "headline", "label"):
        return lambda i: _pick(p.titles, i, 5)
    if name == "name" or name.endswith("_name"):
        return lambda i: _pick(p.name_words, i, 6)
    if re.search(r"url|website|homepage|link|avatar|image|photo", name):
        return lambda i: f"https://{_pick(p.domains, i, 3)}/{_pick(p.words, i, 7)}/{i}"
    if re.search(r"phone|mobile|fax", name):
        return lambda i: f"+1 {200 + mix(i, 8) % 800} {mix(i, 9) % 900 + 100}-{mix(i, 10) % 10000:04d}"
    if "slug" in name:
        return lambda i: f"{_pick(p.words, i, 7)}-{_pick(p.words, i, 11)}"
    if re.search(r"country", name):
        return lambda i: _pick(p.countries, i, 12)
    if re.search(r"currency", name):
        return lambda i: p.currencies[0] if mix(i, 13) % 10 < 7 else _pick(p.currencies, i, 13)
    if name in ("city", "town"):
        return lambda i: _pick(p.cities, i, 14)
    if re.search(r"address|street", name):
        return lambda i: _pick(p.streets, i, 15)
    if re.search(r"postal|zip|postcode", name):
        return lambda i: _pick(p.postcodes, i, 16)
    if re.search(r"hash|digest|password|secret", name):
        alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        hashes = ["$2b$12$" + "".join(alphabet[mix(k * 53 + j, 17) % 64] for j in range(53)) for k in range(512)]
        return lambda i: _pick(hashes, i, 18)
    if re.search(r"^ip|_ip$|ip_address", name):
        return lambda i: f"{mix(i, 19) % 223 + 1}.{mix(i, 20) % 256}.{mix(i, 21) % 256}.{mix(i, 22) % 254 + 1}"
    if re.search(r"color|colour", name):
        return lambda i: f"#{mix(i, 23) % 0xFFFFFF:06x}"
    if name in ("locale", "language", "lang"):
        locales = ["en", "en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "it-IT", "pt-BR", "ja-JP", "nl-NL"]
        return lambda i: _pick(locales, i, 24)
    if re.search(r"^(sku|code|isbn|barcode|reference)$|_code$|_number$|_ref$|prefix", name):
        prefix = re.sub(r"[^A-Z]", "", name.upper())[:3] or "REF"
        return lambda i: f"{prefix}-{mix(i, 25) % 10**8:08d}"
    if re.search(r"description|body|content|bio|summary|message|text|details|instructions", name):
        return lambda i: _pick(p.paragraphs if mix(i, 26) % 4 == 0 else p.sentences, i, 27)
    if re.search(r"note|comment|reason|excerpt", name):
        return lambda i: _pick(p.sentences, i, 28)
    if re.search(r"job|role|position", name):
        return lambda i: _pick(p.jobs, i, 29)
    return lambda i: f"{_pick(p.words, i, 30)} {_pick(p.words, i, 31)}"


def pool_size(rows: int) -> int:
    """How many values a random pool holds: enough variety for ``rows``, never more than 4,096."""
    return min(4096, 2 * rows + 16)


def text_generator(table: Table, column: Column, rules: ColumnRules, pools: Pools, distinct: bool,
                   rows: int) -> Gen:
    width = column.type.length if column.type.kind in (Kind.VARCHAR, Kind.CHAR) else None
    make = text_maker(table, column, pools)
    # What text_maker makes depends on the column's name and the kind of table only: columns that share
    # them (``email`` on many tables) share the verdict on their format checks and their value pool.
    meaning = (column.name, PERSON_TABLES.search(table.name) is not None, ORG_TABLES.search(table.name) is not None)
    if rules.patterns and not _memo(pools, ("fits", meaning, tuple(rules.patterns)),
                                    lambda: all(matches_all(rules.patterns, make(i)) for i in range(50))):
        pattern, icase = rules.patterns[0]
        wanted = rows + 16 if distinct else pool_size(rows)
        pool = [s for s in (regex_sample(pattern, k, icase) for k in range(1, wanted + 1)) if s is not None]
        pool = [copy_escape(s) for s in dict.fromkeys(pool) if matches_all(rules.patterns, s)]
        if width:
            pool = [s for s in pool if len(s) <= width]
        if not pool:
            raise ValueError(f"{table.name}.{column.name}: no sample matches {pattern!r}")
        if distinct:  # as many distinct rows as samples: the plan caps the row count
            return _PoolDistinct(pool)
        return Choice(pool)
    if distinct:
        if width is not None and width < 8:  # too narrow for a realistic value plus a row number
            if 36 ** width <= 100_000:  # a finite domain: the plan caps the row count at its size
                return _PoolDistinct([_narrow(k, width, column) for k in range(36 ** width)])
            return Pure(lambda i: _narrow(i, width, column))
        return Pure(_distinct_text(make, column.name, width))
    if width:
        inner = make
        make = lambda i: inner(i)[:width].rstrip() or "x"  # noqa: E731
    return _Cached(make, rows, memo=(pools, ("pool", meaning, width, pool_size(rows))))


def _memo(pools: Pools, key: tuple, compute):
    """``compute()`` once per key for the pools it depends on (the result is shared: never change it)."""
    if key not in pools.memo:
        pools.memo[key] = compute()
    return pools.memo[key]


class _PoolDistinct(Pure):
    """Distinct values from a finite pool (regex samples): at most ``len(pool)`` rows."""

    def __init__(self, pool: list[str]):
        super().__init__(lambda i: pool[i % len(pool)])  # past the pool (a bench's new rows): values repeat
        self.pool = pool

    def domain(self) -> list[str]:
        return self.pool


class _Cached(Gen):
    """A not-distinct column: up to 4,096 values of its meaning, drawn at random."""

    def __init__(self, make, rows: int, memo: tuple[Pools, tuple] | None = None):
        def compute() -> list[str]:
            return list(dict.fromkeys(make(i) for i in range(pool_size(rows))))

        self.pool = _memo(*memo, compute) if memo is not None else compute()

    def values(self, b: Batch) -> list[str]:
        return b.rng.choices(self.pool, k=b.count)


def _narrow(i: int, width: int, column: Column) -> str:
    """Row ``i`` spelled in base 36 within ``width`` characters (char(n): full width, no padding)."""
    token = compact_token(i, width)
    return token.rjust(width, "0") if column.type.kind == Kind.CHAR else token


def _distinct_text(make, name: str, width: int | None):
    """fn(i): the column's realistic value made distinct by the row number (kept within ``width``)."""
    sample = make(0)
    limit = width or 10**6
    if "@" in sample:
        def fn(i: int) -> str:
            local, _, domain = make(i).partition("@")
            suffix = f"{i}@{domain}"
            return local[: limit - len(suffix)] + suffix
    elif sample.startswith("https://"):
        def fn(i: int) -> str:  # the URL already ends with the row number
            return make(i)[-limit:]
    elif re.fullmatch(r"[A-Z]+-\d+", sample):
        head = sample.split("-")[0]

        def fn(i: int) -> str:
            return f"{head}-{i:08d}"[-limit:]
    else:
        sep = "-" if re.fullmatch(r"[a-z0-9-]+", sample) else " "

        def fn(i: int) -> str:
            suffix = f"{sep}{i}"
            return make(i)[: limit - len(suffix)].rstrip() + suffix
    return fn


# --- the factory --------------------------------------------------------------------------------
def null_fraction(column: Column) -> float:
    name = column.name
    if name == "deleted_at" or name.endswith(("_deleted_at", "revoked_at", "cancelled_at", "canceled_at")):
        return 0.97
    if name in ("created_by", "updated_by"):
        return 0.5
    if name.endswith("_at"):
        return 0.2
    return 0.1


def one_sided_balance(schema: Schema, table: Table):
    """The balanced-sums rule of ``table`` whose two columns are also an exactly-one pair, or None."""
    sides = {frozenset((e.left, e.right)) for e in schema.facts.exactly_one if e.table == table.name and e.numeric}
    return next((b for b in schema.facts.balanced_sums if b.table == table.name
                 and frozenset((b.left, b.right)) in sides), None)


def column_generator(schema: Schema, table: Table, column: Column, rules: ColumnRules, pools: Pools,
                     window: TimeWindow, rng: random.Random, distinct: bool, ordered_time: str | None,
                     rows: int, period_keys: int = 1) -> Gen:
    """The generator for one (non-key-reference) column; ``distinct``: values must never repeat;
    ``period_keys``: the rows of a non-overlap rule's table are spread over that many keys, row i being
    period i // period_keys of its key (plan.py, ``RefGroup.spread``)."""
    t, k = column.type, column.type.kind
    if rules.derived is not None and t.is_numeric:
        return Derived(rules.derived, t.scale if k == Kind.NUMERIC else (0 if k in _INTS else None))
    if rules.values:
        vals = [copy_escape(v) for v in rules.values]
        return Choice(vals, skew=0.8)
    if t.array_dims:
        return Const("{}")
    if k == Kind.ENUM:
        enum = schema.enum(t.name)
        return Choice([copy_escape(v) for v in enum.values], skew=0.8)
    if k == Kind.BOOLEAN:
        share = 0.9 if column.name in ("is_active", "is_enabled", "is_visible", "is_available") else 0.2
        return Choice(["t", "f"], skew=0.0) if share == 0.5 else _Bool(share)
    if k == Kind.UUID:
        salt = rng.getrandbits(128)
        return Pure(lambda i: _uuid(i, salt))
    if k in _INTS and distinct:
        lo = int(rules.lo + (1 if rules.lo_strict else 0)) if rules.lo is not None else 1
        return Pure(lambda i: str(lo + i))
    balanced = next((b for b in schema.facts.balanced_sums if b.table == table.name
                     and column.name in (b.left, b.right)), None)
    if t.is_numeric and balanced is not None and not distinct:
        # a balanced-sums rule (design/rules/balanced.py): both columns hold the same value in every row,
        # so every key's sums are equal whichever rows it gets. One pool, made from the left column with a
        # seed of the rule's own, read by the same function of the row index for both columns.
        left = table.column(balanced.left)
        pool = number_pool(left, table_rules(table).get(left.name, ColumnRules()),
                           random.Random(f"{table.name}.{balanced.left}.{balanced.right}"), 1024)
        if one_sided_balance(schema, table) is balanced:
            # rows 2k and 2k+1 share their key (plan.py): the value on the left side of the first row and on
            # the right side of the second, 0 on the other side; never 0 on the side that holds it
            pool = [v for v in pool if v.strip("0.") != ""] or ["1"]
            side = 0 if column.name == balanced.left else 1
            return _Same(lambda i: pool[mix(i >> 1, 0x5EED) % len(pool)] if i % 2 == side else "0")
        return _Same(lambda i: pool[mix(i, 0x5EED) % len(pool)])
    if t.is_numeric:
        if distinct:
            return Pure(lambda i: str(i + 1))
        return Choice(number_pool(column, rules, rng, pool_size(rows)))
    period = next((p for p in schema.facts.non_overlapping if p.table == table.name), None)
    if period is not None and k in (Kind.TIMESTAMP, Kind.TIMESTAMPTZ, Kind.DATE) \
            and column.name in (period.start, period.end):
        # a non-overlap rule (design/rules/overlap.py): slot j = i // period_keys holds [j * step, j * step +
        # step / 2), and the rows of one slot have distinct keys, so no two periods of one key overlap
        day = 86400 if k == Kind.DATE else 1
        slots = -(-rows // max(period_keys, 1))
        step = max(window.span // max(slots, 1) // day * day, 2 * day)
        half = max(step // 2 // day * day, day)
        offset = half if column.name == period.end else 0
        secs = (lambda i: min(i // period_keys * step + offset, window.span - 1))
        if k == Kind.DATE:
            return _Periodic(window, k, column.name, secs)
        return _DistinctInstant(window, k == Kind.TIMESTAMPTZ, column.name, secs)
    if k in (Kind.TIMESTAMP, Kind.TIMESTAMPTZ) and distinct:  # increasing, one step per row, jittered
        step = max(window.span / max(rows, 1), 1.0)
        return _DistinctInstant(window, k == Kind.TIMESTAMPTZ, column.name,
                                lambda i: min(i * step + (mix(i, 46) % 1000) / 1000 * (step - 1), window.span - 1))
    if k in (Kind.TIMESTAMP, Kind.TIMESTAMPTZ, Kind.DATE):
        if rules.after:
            base, strict = rules.after[0]
            base_column = table.column(base)
            return After(window, k, column.name, base, 60 if k == Kind.DATE else 30, strict,
                         base_column.type.kind if base_column is not None else None)
        if column.name == "updated_at" and table.has_column("created_at"):
            return After(window, k, column.name, "created_at", 20, False)
        if column.name in ("deleted_at",) and table.has_column("created_at"):
            return After(window, k, column.name, "created_at", 90, False)
        if k == Kind.DATE and re.search(r"birth|dob", column.name):
            return Choice([f"{1950 + y}-{m:02d}-{d:02d}" for y in range(55) for m in range(1, 13) for d in (3, 14, 25)])
        return Instant(window, k, column.name, ordered=column.name == ordered_time)
    if k in (Kind.TIME, Kind.TIMETZ):
        return Choice([f"{h:02d}:{m:02d}:00" for h in range(7, 22) for m in (0, 15, 30, 45)])
    if k == Kind.INTERVAL:
        return Choice([f"{n} minutes" for n in (5, 15, 30, 45, 60, 90, 120, 240)])
    if k in (Kind.JSON, Kind.JSONB):
        return Choice(['{}', '{"source": "web"}', '{"source": "mobile", "beta": true}', '{"tags": ["a", "b"]}'])
    if k == Kind.BYTEA:
        return Pure(lambda i: f"\\\\x{mix(i, 40):016x}")
    if k in (Kind.INET, Kind.CIDR):
        if distinct:
            return Pure(lambda i: f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" if k == Kind.INET
                        else f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}/32")
        # Not the column's name-based text: "ip_address" also reads as a postal address.
        return _Cached((lambda i: f"{mix(i, 19) % 223 + 1}.{mix(i, 20) % 256}.{mix(i, 21) % 256}."
                                  f"{mix(i, 22) % 254 + 1}") if k == Kind.INET
                       else (lambda i: f"10.{mix(i, 41) % 256}.{mix(i, 42) % 256}.0/24"), rows)
    if k == Kind.MACADDR:
        return Pure(lambda i: ":".join(f"{(mix(i, 43) >> (8 * j)) & 255:02x}" for j in range(6)))
    if k == Kind.TSVECTOR:
        return _Cached(lambda i: f"{_pick(pools.words, i, 44)} {_pick(pools.words, i, 45)}", rows)
    if k == Kind.XML:
        return Const("<item/>")
    if k == Kind.OTHER:
        if column.nullable:
            return Const(NULL)
        raise ValueError(f"{table.name}.{column.name}: cannot generate values of type {t.name}")
    return text_generator(table, column, rules, pools, distinct, rows)


_INTS = {Kind.SMALLINT, Kind.INTEGER, Kind.BIGINT}


class _Bool(Gen):
    def __init__(self, share_true: float):
        self.share = share_true

    def values(self, b: Batch) -> list[str]:
        rnd, p = b.rng.random, self.share
        return ["t" if rnd() < p else "f" for _ in range(b.count)]

    def domain(self) -> list[str]:
        return ["t", "f"]


M128 = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd: i * M128 mod 2**128 is a bijection
MASK128 = (1 << 128) - 1


def _uuid(i: int, salt: int) -> str:
    """A random-looking, distinct version-4 UUID for row ``i`` (the variant/version nibbles are set,
    the low 60 bits stay a bijection of ``i``)."""
    h = f"{(i * M128 + salt) & MASK128:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"
