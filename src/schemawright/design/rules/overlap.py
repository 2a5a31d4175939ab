""""Reservations of a room never overlap" -> no two rows of one key have overlapping periods.

The period is the table's pair of start/end columns (starts_at/ends_at, check_in_date/check_out_date,
valid_from/valid_to, assigned_from/assigned_until...), compared as a half-open range ``[start, end)``
(daterange or tstzrange); "(cancelled ones excepted)" leaves rows of that status out. Enforced by a
AFTER INSERT OR UPDATE row trigger that serialises writers of one key with a transaction-scoped advisory
lock and refuses an overlapping row with SQLSTATE 23P01 (exclusion_violation), the error an
``EXCLUDE USING gist`` constraint raises: the designer's model has no exclusion constraints yet, and the
trigger needs no btree_gist extension (the embedded server has none).
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design.rules.base import TEMPORAL, Compiled, RuleText
from schemawright.model import names
from schemawright.model.facts import NonOverlapping
from schemawright.model.schema import Function, Trigger
from schemawright.model.types import Kind

PAIRS = [("starts", "ends"), ("start", "end"), ("started", "ended"), ("from", "to"), ("from", "until"),
         ("check_in", "check_out"), ("pickup", "return"), ("begin", "end"), ("begins", "ends"),
         ("opens", "closes"), ("valid_from", "valid_until"), ("borrowed", "due"), ("effective_from", "effective_to")]


def period(rt: RuleText) -> tuple[str, str] | None:
    cols = {c.name: c for c in rt.table.columns if c.type.kind in TEMPORAL}
    for name in cols:
        for s, e in PAIRS:
            for other in {re.sub(rf"(^|_){s}(_|$)", rf"\g<1>{e}\g<2>", name)}:
                if other != name and other in cols and cols[other].type.kind == cols[name].type.kind:
                    return name, other
    return None


def compile(rt: RuleText) -> Compiled | None:
    text = re.sub(r"\s*\(.*?\)\s*", " ", rt.text).strip()
    if not re.search(r"\boverlap", text):
        return None
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
    if stated and re.search(r"\b(?:except|excepted|excluded|ignored|not counted|aside)\b", stated.group(1)):
        word = re.match(r"(\w+)", stated.group(1))
        status = next((c.name for c in rt.table.columns if word and word.group(1) in rt.values_of(c.name)), None)
        if status is None:
            return None
        skip = (status, word.group(1))
    return build(rt, key, start, end, skip)


def build(rt: RuleText, key: str, start: str, end: str, skip: tuple[str, str] | None = None) -> Compiled | None:
    pk = rt.table.primary_key.columns if rt.table.primary_key else ()
    if not pk:
        return None
    rng = "daterange" if rt.col(start).type.kind == Kind.DATE else (
        "tstzrange" if rt.col(start).type.kind == Kind.TIMESTAMPTZ else "tsrange")
    q, lit = names.quote_ident, names.quote_literal
    skip_new, skip_old = "", ""
    if skip is not None:
        skip_new = f" OR NEW.{q(skip[0])} = {lit(skip[1])}"
        skip_old = f"\n                 AND t.{q(skip[0])} IS DISTINCT FROM {lit(skip[1])}"
    fn = names.shorten(f"fn_{rt.table.name}_{rt.rule.name}")
    constraint = names.shorten(f"excl_{rt.table.name}_{rt.rule.name}")
    same_row = " AND ".join(f"t.{q(c)} = NEW.{q(c)}" for c in pk)
    target = f"{q(rt.table.schema)}.{q(rt.table.name)}"
    body = f"""
BEGIN
    IF NEW.{q(key)} IS NULL OR NEW.{q(start)} IS NULL OR NEW.{q(end)} IS NULL
            OR NEW.{q(start)} > NEW.{q(end)}{skip_new} THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext({lit(rt.table.name + '.' + rt.rule.name)}), hashtext(NEW.{q(key)}::text));
    IF EXISTS (SELECT 1 FROM {target} AS t
               WHERE t.{q(key)} = NEW.{q(key)}
                 AND NOT ({same_row})
                 AND CASE WHEN t.{q(start)} <= t.{q(end)} THEN {rng}(t.{q(start)}, t.{q(end)}) END
                     && {rng}(NEW.{q(start)}, NEW.{q(end)}){skip_old}) THEN
        RAISE EXCEPTION USING ERRCODE = 'exclusion_violation', CONSTRAINT = {lit(constraint)},
            MESSAGE = format('%s: the period of %s %s overlaps another row', {lit(rt.rule.name)}, {lit(key)}, NEW.{q(key)});
    END IF;
    RETURN NEW;
END;
"""
    if "$function$" in body:  # the dollar-quote tag of rendered functions: never in a value
        return None
    rt.ctx.schema.functions.append(Function(name=fn, returns="trigger", body=body, schema=rt.table.schema,
                                            comment=f"Enforces business rule {rt.rule.name}: {rt.rule.description}",
                                            origin=rt.origin("overlap")))
    trigger = names.trg_name(rt.table.name, rt.rule.name)
    # AFTER: the row's own constraints (a UNIQUE on key and start) speak first, with their own errors
    rt.table.triggers.append(Trigger(name=trigger, function=fn, timing="AFTER", events=("INSERT", "UPDATE"),
                                     origin=rt.origin("overlap")))
    facts = rt.ctx.schema.facts
    rt.ctx.schema.facts = replace(facts, non_overlapping=facts.non_overlapping + (
        NonOverlapping(rt.table.name, key, start, end),))
    return Compiled("overlap", [f"TRIGGER {trigger}", f"FUNCTION {fn}"],
                    f"no two rows of one {key} with overlapping [{start}, {end}) ({rng})")
