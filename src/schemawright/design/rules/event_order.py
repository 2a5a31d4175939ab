""""A unit expires after it is collected" -> deferred constraint triggers comparing a column with the date of
the row it references.

The subject's verb names a date or time column of the rule's table by its stem (``expires`` -> expires_on).
The participle ("it is collected") names, by its stem, a date column of the table (then the rule is a
plain CHECK, left to the comparison pattern's phrasing) or of a table it references (NOT NULL key); else the
referenced table that records that event: one whose status column has the participle as a value
(donations.status 'collected') and that has exactly one business date or time column (donated_on; audit
columns created_at/updated_at/deleted_at do not count). The comparison spans two tables, so it is
enforced by constraint triggers, deferred to the commit (a unit and its donation may be written in either
order): on the table (INSERT, UPDATE OF the column or the key) and on the referenced table (UPDATE OF its
date); a violation is refused with 23514 naming the trigger. NULL on either side is not checked.
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design.rules.base import TEMPORAL, Compiled, RuleText, add_function, is_own_table
from schemawright.model import names
from schemawright.model.facts import OrderedAfterParent
from schemawright.model.names import singular
from schemawright.model.schema import Table, Trigger
from schemawright.model.types import Kind

_CMP = {"after": ">", "later than": ">", "on or after": ">=", "no earlier than": ">=", "not before": ">=",
        "before": "<", "earlier than": "<", "on or before": "<=", "no later than": "<=", "not after": "<="}
FORM = re.compile(r"(?:an? |the |each |every )?(?P<subject>[\w ]+?) (?:always |must |can only |only )?"
                  r"(?P<verb>[a-z]+) (?P<cmp>" + "|".join(sorted(_CMP, key=len, reverse=True)) +
                  r") (?:it|they) (?:is|are|was|were|has been|have been|gets|get) (?P<part>[a-z]+)")
# "a dose is administered before the batch expires": the participle is the row's own event, the verb the
# referenced row's (named by the last word of its table's name)
FORM_PARENT = re.compile(r"(?:an? |the |each |every )?(?P<subject>[\w ]+?) (?:is|are|must be|is always|can only be) "
                         r"(?P<verb>[a-z]+) (?P<cmp>" + "|".join(sorted(_CMP, key=len, reverse=True)) +
                         r") (?:the |its |their )(?P<parent>[\w ]+?) (?P<part>[a-z]+)")
AUDIT = {"created_at", "updated_at", "deleted_at", "created_on", "updated_on"}


def _stems(word: str) -> list[str]:
    out = [word]
    for suffix in ("ies", "es", "s", "ed", "d", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            out.append(word[: -len(suffix)])
    return out


def _dated(table: Table, word: str) -> str | None:
    found = {c.name for c in table.columns if c.type.kind in TEMPORAL and c.name not in AUDIT
             and any(c.name.startswith(s) for s in _stems(word))}
    return found.pop() if len(found) == 1 else None


def compile(rt: RuleText) -> Compiled | None:
    m = FORM.fullmatch(rt.text)
    if m is None:
        return _parent_event(rt)
    subject = m.group("subject").strip()
    if not (subject in (rt.table.name.replace("_", " "), singular(rt.table.name).replace("_", " "))
            or singular(rt.table.name).replace("_", " ").endswith(" " + subject)):
        return None
    column = _dated(rt.table, m.group("verb"))
    if column is None or _dated(rt.table, m.group("part")) is not None:
        return None  # both dates on the table: a CHECK, phrased as "X is after Y" (comparison)
    parents = [(fk, rt.ctx.table(fk.ref_table)) for fk in rt.table.foreign_keys
               if len(fk.columns) == 1 and not rt.col(fk.columns[0]).nullable and fk.ref_table != rt.table.name]
    found = [(fk, p, c) for fk, p in parents if p is not None and (c := _dated(p, m.group("part")))]
    why = "its name"
    if not found:
        part = m.group("part")
        for fk, p in parents:
            if p is None:
                continue
            events = [c for c in p.columns if c.type.kind in TEMPORAL and c.name not in AUDIT]
            holds = any(part in RuleText(ctx=rt.ctx, rule=rt.rule, table=p, path=rt.path, text="").values_of(c.name)
                        for c in p.columns if c.name in ("status", "state", "stage"))
            if holds and len(events) == 1:
                found.append((fk, p, events[0].name))
        why = f"{m.group('part')!r} is a status of the referenced row and its only date"
    if len(found) != 1:
        return None
    fk, parent, parent_col = found[0]
    if not _same_kind(rt.col(column), parent.column(parent_col)):
        return None
    return build(rt, column, _CMP[m.group("cmp")], fk.columns[0], parent, fk.ref_columns[0], parent_col, why)


def _same_kind(a, b) -> bool:
    """Two dates, two timestamps, or a timestamptz against a date (compared at the date's midnight: "before
    the batch expires" on expires_on is before that day begins)."""
    return a.type.kind == b.type.kind or {a.type.kind, b.type.kind} == {Kind.DATE, Kind.TIMESTAMPTZ}


def _parent_event(rt: RuleText) -> Compiled | None:
    m = FORM_PARENT.fullmatch(rt.text)
    if m is None:
        return None
    if not is_own_table(rt, m.group("subject").strip()):
        return None
    column = _dated(rt.table, m.group("verb"))
    if column is None:
        return None
    noun = m.group("parent").strip().replace(" ", "_")
    parents = [(fk, rt.ctx.table(fk.ref_table)) for fk in rt.table.foreign_keys
               if len(fk.columns) == 1 and not rt.col(fk.columns[0]).nullable and fk.ref_table != rt.table.name
               and (singular(fk.ref_table) == noun or singular(fk.ref_table).endswith("_" + noun))]
    if len(parents) != 1 or parents[0][1] is None:
        return None
    fk, parent = parents[0]
    parent_col = _dated(parent, m.group("part"))
    if parent_col is None or not _same_kind(rt.col(column), parent.column(parent_col)):
        return None
    return build(rt, column, _CMP[m.group("cmp")], fk.columns[0], parent, fk.ref_columns[0], parent_col,
                 f"{m.group('part')!r} names it")


def build(rt: RuleText, column: str, op: str, key: str, parent: Table, parent_key: str, parent_col: str,
          why: str, pattern: str = "event_order", unit: str = "interval '1 day'", own_cast: str = "",
          suffix: str = "", spread: int = 60) -> Compiled | None:
    """``own_cast`` ("::date") is applied to the column before comparing; ``suffix`` tells apart the triggers of
    one rule built twice (a window's two bounds), and ``spread`` is how far seed moves a violating value."""
    q, lit = names.quote_ident, names.quote_literal
    table = rt.table
    rel = lambda t: f"{q(t.schema)}.{q(t.name)}"  # noqa: E731
    label = rt.rule.name + suffix
    t_own, t_parent = names.trg_name(table.name, label), names.trg_name(parent.name, label)
    if any(t.name == t_own for t in table.triggers) or any(t.name == t_parent for t in parent.triggers):
        return None

    def body(where: str) -> str:
        return f"""
DECLARE
    v_row record;
BEGIN
    SELECT t.{q(column)} AS own, p.{q(parent_col)} AS theirs INTO v_row
    FROM {rel(table)} AS t JOIN {rel(parent)} AS p ON p.{q(parent_key)} = t.{q(key)}
    WHERE {where} AND NOT (t.{q(column)}{own_cast} {op} p.{q(parent_col)})
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = TG_NAME,
            MESSAGE = format('%s: %s %s is not {op} %s %s of its %s', {lit(rt.rule.name)}, {lit(column)}, v_row.own,
                             {lit(parent_col)}, v_row.theirs, {lit(singular(parent.name))});
    END IF;
    RETURN NULL;
END;
"""
    objects: list[str] = []
    for t, trigger, where, events, cols in (
            (table, t_own, f"t.{q(key)} = NEW.{q(key)} AND t.{q(column)} = NEW.{q(column)}", ("INSERT", "UPDATE"),
             (column, key)),
            (parent, t_parent, f"p.{q(parent_key)} = NEW.{q(parent_key)}", ("UPDATE",), (parent_col,))):
        fn = names.shorten(f"fn_{t.name}_{label}")
        made = add_function(replace(rt, table=t), pattern, fn, body(where))
        t.triggers.append(Trigger(name=trigger, function=fn, timing="AFTER", events=events, columns=cols,
                                  constraint=True, deferrable=True, initially_deferred=True,
                                  origin=rt.origin(pattern)))
        objects += [f"TRIGGER {t.name}.{trigger}", made]
    facts = rt.ctx.schema.facts
    rt.ctx.schema.facts = replace(facts, ordered_after_parent=facts.ordered_after_parent + (OrderedAfterParent(
        table.name, column, op, key, parent.name, parent_key, parent_col, (t_own, t_parent), unit, own_cast, spread),))
    return Compiled(pattern, objects, f"{table.name}.{column} {op} {parent.name}.{parent_col} of its {key} "
                    f"({parent_col}: {why}), checked at commit (deferred constraint triggers on both tables)")
