"""Value pools built once per run (Faker, seeded) and the COPY text format helpers.

Generating a value for every row with Faker costs tens of microseconds; bulk generation instead draws
from pools of a few hundred to a few thousand realistic values made once, and makes values distinct
where a constraint needs it by appending the row number. Every pool entry is already escaped for
COPY's text format, so rows are joined with no per-value escaping.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import cache, cached_property

NULL = "\\N"  # COPY text format NULL marker


def copy_escape(value: str) -> str:
    """A value in COPY text format (backslash, tab, newline and carriage return escaped)."""
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))


def copy_unescape(value: str | None) -> str | None:
    """The value a COPY text field stands for (None for NULL)."""
    if value is None or value == NULL:
        return None
    if "\\" not in value:
        return value
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), value)


def _clean(text: str) -> str:
    return " ".join(text.split())


@cache
def _faker():
    """One Faker per process (making one takes ~0.1 s): every pool reseeds it before drawing."""
    from faker import Faker

    return Faker("en_US")


def _pool(build):
    """A pool made on first use from Faker reseeded for this pool alone: its values depend on the run's
    seed and the pool's name only, never on which pools other columns happened to use first."""
    def make(self: Pools) -> list[str]:
        self.faker.seed_instance(f"{self.seed}:{build.__name__}")
        return build(self)

    make.__name__, make.__doc__ = build.__name__, build.__doc__
    return cached_property(make)


@dataclass
class Pools:
    """Realistic values by meaning. Built from Faker with ``seed`` so that runs are reproducible."""

    seed: int
    size: int = 1000
    _faker: object = field(default=None, repr=False)
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # generators' shared results

    @property
    def faker(self):
        if self._faker is None:
            fake = _faker()
            fake.seed_instance(self.seed)
            self._faker = fake
        return self._faker

    def _many(self, method: str, n: int | None = None) -> list[str]:
        make = getattr(self.faker, method)
        out = {copy_escape(_clean(str(make()))) for _ in range(n or self.size)}
        return sorted(out)  # sorted: set order must not leak into reproducibility

    @_pool
    def first_names(self) -> list[str]:
        return self._many("first_name", 600)

    @_pool
    def last_names(self) -> list[str]:
        return self._many("last_name", 800)

    @_pool
    def companies(self) -> list[str]:
        return self._many("company", 800)

    @_pool
    def words(self) -> list[str]:
        return sorted({w.lower() for w in self.faker.words(3000) if w.isalpha()})

    @_pool
    def sentences(self) -> list[str]:
        return self._many("sentence", 600)

    @_pool
    def paragraphs(self) -> list[str]:
        return self._many("paragraph", 300)

    @_pool
    def cities(self) -> list[str]:
        return self._many("city", 400)

    @_pool
    def streets(self) -> list[str]:
        return self._many("street_address", 800)

    @_pool
    def postcodes(self) -> list[str]:
        return self._many("postcode", 500)

    @_pool
    def domains(self) -> list[str]:
        return sorted({d.lower() for d in self._many("domain_name", 300) if re.fullmatch(r"[a-z0-9.-]+", d.lower())})

    @_pool
    def titles(self) -> list[str]:
        return sorted({copy_escape(_clean(self.faker.catch_phrase())) for _ in range(600)})

    @_pool
    def jobs(self) -> list[str]:
        return self._many("job", 300)

    @_pool
    def countries(self) -> list[str]:
        return sorted({self.faker.country_code() for _ in range(400)})

    @_pool
    def currencies(self) -> list[str]:
        common = ["USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "SEK", "NZD", "SGD"]
        return common

    @_pool
    def name_words(self) -> list[str]:
        """Short product/thing names: an adjective-ish word and a noun-ish word."""
        w = self.words
        return sorted({f"{w[i % len(w)].capitalize()} {w[(i * 7 + 3) % len(w)]}" for i in range(800)})


@cache
def _times_of_day() -> list[str]:
    """``HH:MM:SS`` for every second of a day (made once per process; shared, never changed)."""
    return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


class TimeWindow:
    """Instants spread over a growth period: more rows recently when the data grows.

    Instants are seconds since ``start``, denser recently by ``monthly_growth`` per month (``growth_log``);
    text is produced from precomputed day and time-of-day strings."""

    def __init__(self, end: dt.date, months: int = 24, monthly_growth: float = 0.05):
        self.end = dt.datetime(end.year, end.month, end.day, tzinfo=dt.timezone.utc)
        self.months = months
        self.start = self.end - dt.timedelta(days=round(months * 30.44))
        self.span = (self.end - self.start).total_seconds()
        self.growth = max(monthly_growth, 0.0)
        total = (1 + self.growth) ** months
        self.growth_log = math.log(total) if total > 1 + 1e-9 else None  # None: uniform
        # a week past the end: a chain of dates each after the previous (consent, enrolment, withdrawal)
        # that starts on the last day goes on past it rather than repeating it
        self.days = [(self.start + dt.timedelta(days=d)).date().isoformat()
                      for d in range(int(self.span // 86400) + 8)]
        self._tod = None

    @property
    def tod(self) -> list[str]:
        if self._tod is None:
            self._tod = _times_of_day()
        return self._tod

    def timestamp(self, seconds: float, tz: bool = True) -> str:
        s = int(seconds)
        return f"{self.days[s // 86400]} {self.tod[s % 86400]}" + ("+00" if tz else "")

    def date(self, seconds: float) -> str:
        return self.days[int(seconds) // 86400]


GROWTH_RE = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*(?:per\s+|/|a\s+|each\s+)?(month|monthly|year|yearly|annual|annually|"
                       r"week|weekly|day|daily|quarter|quarterly)?", re.I)
_PER_MONTH = {"month": 1, "monthly": 1, "year": 12, "yearly": 12, "annual": 12, "annually": 12, "week": 12 / 52,
              "weekly": 12 / 52, "day": 1 / 30.44, "daily": 1 / 30.44, "quarter": 3, "quarterly": 3}


def monthly_growth(text: str | None, default: float = 0.05) -> float:
    """Monthly growth rate from a growth_rate text such as "20% per month" or "100% yearly"."""
    if not text:
        return default
    m = GROWTH_RE.search(text)
    if not m:
        return default
    rate = float(m.group(1)) / 100
    months = _PER_MONTH.get((m.group(2) or "month").lower(), 1)
    return (1 + rate) ** (1 / months) - 1
