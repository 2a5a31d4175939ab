""""Reservations of a room never overlap" -> no two rows of one key have overlapping periods.

The period is the table's pair of start/end columns (starts_at/ends_at, check_in_date/check_out_date,
valid_from/valid_to, assigned_from/assigned_until...), compared as a half-open range ``[start, end)``
(daterange or tstzrange); "(cancelled ones excepted)" leaves rows of that status out. Enforced by
``EXCLUDE USING gist (key WITH =, <range> WITH &&) [WHERE (status IS DISTINCT FROM ...)]``, which refuses
an overlapping row with SQLSTATE 23P01 (exclusion_violation) even under concurrent writers; ``=`` on a
scalar key in a GiST index needs the btree_gist extension, which every server schemawright starts (and
PostgreSQL's contrib) ships. A table with an exclusion constraint is not partitioned (PostgreSQL 15/16
refuse exclusion constraints on partitioned tables).
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design.rules.base import TEMPORAL, Compiled, RuleText
from schemawright.model import names
from schemawright.model.facts import NonOverlapping
from schemawright.model.schema import ExclusionConstraint, ExclusionElement, Expression
from schemawright.model.types import Kind

# key types btree_gist (PostgreSQL 15) cannot compare with = in a GiST index
NO_GIST_EQUALITY = (Kind.JSON, Kind.JSONB, Kind.XML, Kind.TSVECTOR, Kind.ENUM, Kind.OTHER)

PAIRS = [("starts", "ends"), ("start", "end"), ("started", "ended"), ("from", "to"), ("from", "until"),
         ("check_in", "check_out"), ("pickup", "return"), ("begin", "end"), ("begins", "ends"),
         ("opens", "closes"), ("valid_from", "valid_until"), ("borrowed", "due"), ("effective_from", "effective_to")]


# a period named in two tenses (a parking session started_at, it ends_at when the paid time runs out): only when
# no pair of one tense is found, so scheduled starts_at/ends_at beat an actual started_at beside them
MIXED_PAIRS = [("started", "ends"), ("starts", "ended")]


def period(rt: RuleText) -> tuple[str, str] | None:
    cols = {c.name: c for c in rt.table.columns if c.type.kind in TEMPORAL}
    for pairs in (PAIRS, MIXED_PAIRS):
        for name in cols:
            for s, e in pairs:
                other = re.sub(rf"(^|_){s}(_|$)", rf"\g<1>{e}\g<2>", name)
                if other != name and other in cols and cols[other].type.kind == cols[name].type.kind:
                    return name, other
    return None


def compile(rt: RuleText) -> Compiled | None:
    text = re.sub(r"\s*\(.*?\)\s*", " ", rt.text).strip()
    if not re.search(r"\boverlap", text):
        return None
    # "..., except cancelled ones" / "unless cancelled": the exception in the sentence itself
    # "unless one of them is cancelled", "unless either is cancelled": the row excepted is either one
    tail = re.search(r",? *\b(?:except(?: for)?|excepting|unless(?: they are| it is| (?:one|either|any) of them "
                     r"(?:is|was|has been)| either (?:one )?(?:is|was|has been))?|other than|apart from|"
                     r"but not) (?:the )?(.+)$", text)
    exception = None
    if tail:
        text = text[:tail.start()].strip()
        word = re.fullmatch(r"(\w+)(?: ones?| rows?| \w+)?", tail.group(1).strip())
        if word is None:
            return None  # an exception not understood: never enforce the rule without it
        exception = word.group(1)
    keys = [c for c in rt.mentions(text) if c.endswith("_id")]
    if len(keys) != 1:
        return None
    key = keys[0]
    found = period(rt)
    pk = rt.table.primary_key.columns if rt.table.primary_key else ()
    if found is None or not pk:
        return None
    start, end = found
    skip = None
    stated = re.search(r"\((.*?)\)", rt.text)
    if exception is not None:
        status = next((c.name for c in rt.table.columns if exception in rt.values_of(c.name)), None)
        if status is None or (stated and re.search(r"\b(?:except|excepted|excluded|ignored|not counted|aside)\b",
                                                   stated.group(1))):
            return None
        skip = (status, exception)
    elif stated and re.search(r"\b(?:except|excepted|excluded|ignored|not counted|aside)\b", stated.group(1)):
        word = re.match(r"(\w+)", stated.group(1))
        status = next((c.name for c in rt.table.columns if word and word.group(1) in rt.values_of(c.name)), None)
        if status is None:
            return None
        skip = (status, word.group(1))
    return build(rt, key, start, end, skip)


def build(rt: RuleText, key: str | tuple[str, ...], start: str, end: str,
          skip: tuple[str, str] | None = None) -> Compiled | None:
    keys = (key,) if isinstance(key, str) else tuple(key)
    if any(rt.col(k) is None or rt.col(k).type.array_dims or rt.col(k).type.kind in NO_GIST_EQUALITY for k in keys):
        return None  # btree_gist has no operator class for it: not understood rather than a failing migration
    kind = rt.col(start).type.kind
    rng = "daterange" if kind == Kind.DATE else ("tstzrange" if kind == Kind.TIMESTAMPTZ else "tsrange")
    q, lit = names.quote_ident, names.quote_literal
    # A row without a complete, ordered period takes part in no conflict (a NULL element never conflicts);
    # the ordering itself is a CHECK's business, so a reversed period is not refused here with a range error.
    period = Expression(f"CASE WHEN {q(start)} <= {q(end)} THEN {rng}({q(start)}, {q(end)}) END")
    where = Expression(f"{q(skip[0])} IS DISTINCT FROM {lit(skip[1])}") if skip is not None else None
    name = names.shorten(f"excl_{rt.table.name}_{rt.rule.name}")
    rt.table.exclusions.append(ExclusionConstraint(
        name=name, method="gist", where=where,
        elements=(*(ExclusionElement(column=k, operator="=") for k in keys),
                  ExclusionElement(expression=period, operator="&&")),
        comment=f"Enforces business rule {rt.rule.name}: {rt.rule.description}", origin=rt.origin("overlap")))
    if "btree_gist" not in rt.ctx.schema.extensions:  # "=" on a scalar key inside a GiST index
        rt.ctx.schema.extensions.append("btree_gist")
        rt.ctx.infer("extension", "btree_gist", "CREATE EXTENSION btree_gist",
                     f"the exclusion constraint {name} compares {', '.join(keys)} with = in a GiST index")
    facts = rt.ctx.schema.facts
    rt.ctx.schema.facts = replace(facts, non_overlapping=facts.non_overlapping + (
        NonOverlapping(rt.table.name, keys[0], start, end),))
    unless = f", {skip[0]} = {skip[1]!r} excepted" if skip else ""
    return Compiled("overlap", [f"EXCLUDE {name}"],
                    f"no two rows of one {', '.join(keys)} with overlapping [{start}, {end}) ({rng}, EXCLUDE USING gist"
                    f"{unless})")
