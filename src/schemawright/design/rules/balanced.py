""""The sum of debit equals the sum of credit per journal entry" -> a deferred constraint trigger.

Per value of the key (``journal_entry_id``), the sum of one column equals the sum of another over the
rows of the table that holds both (the rule's entity, or the one table referencing it that has both:
the rule may name the entry, the columns live on its postings). The balance can only hold at the end
of a transaction (the lines of an entry are inserted one by one), so the check is a ``CREATE
CONSTRAINT TRIGGER ... AFTER INSERT OR UPDATE OR DELETE ... DEFERRABLE INITIALLY DEFERRED``: at commit,
each key a statement touched is summed again, and an unbalanced one aborts the commit with 23514
(check_violation) naming the trigger. ``SET CONSTRAINTS <trigger> IMMEDIATE`` checks earlier.
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design.rules.base import NUMERIC, Compiled, RuleText, add_trigger, fk_for
from schemawright.dialects import type_sql
from schemawright.model import names
from schemawright.model.facts import BalancedSums

_EQUAL = r"(?:equals|equal|must equal|must be equal to|is equal to|are equal to|matches|match|balances|balance)"
_PER = r"(?:per|for each|for every|within|in each|of each|of every|for one|in one|of one|for a|for an|of a|of an)"
FORMS = (
    re.compile(rf"(?:the )?(?:sum|total) of (?:the |all )?(.+?) {_EQUAL} (?:the )?(?:sum|total) of (?:the |all )?"
               rf"(.+?) {_PER} (?:the |a |an |each |one )?(.+)"),
    re.compile(rf"(?:the )?(?:total )?(\w+) {_EQUAL} (?:the )?(?:total )?(\w+) {_PER} (?:the |a |an |each |one )?(.+)"),
)


def parse(text: str) -> tuple[str, str, str] | None:
    text = re.sub(r"\s*\(.*?\)\s*", " ", text).strip()
    for form in FORMS:
        if m := form.fullmatch(text):
            return m.group(1), m.group(2), m.group(3)
    return None


def _resolve(rt: RuleText, left: str, right: str, per: str) -> tuple[RuleText, str, str, str] | None:
    """The table holding both summed columns and the key: the rule's table, else the one child of it that
    has both (the key then is the child's reference to the rule's table)."""
    a, b, key = rt.column_in(left), rt.column_in(right), rt.column_in(per)
    if a and b and key and a != b:
        return rt, a, b, key
    found = []
    for child in rt.ctx.schema.tables:
        refs = [fk for fk in child.foreign_keys if fk.ref_table == rt.table.name and len(fk.columns) == 1]
        if child is rt.table or len(refs) != 1:
            continue
        crt = RuleText(ctx=rt.ctx, rule=rt.rule, table=child, path=rt.path, text=rt.text)
        ca, cb, ckey = crt.column_in(left), crt.column_in(right), crt.column_in(per)
        if ca and cb and ca != cb and (ckey in (None, refs[0].columns[0])):
            found.append((crt, ca, cb, refs[0].columns[0]))
    return found[0] if len(found) == 1 else None


def compile(rt: RuleText) -> Compiled | None:
    parsed = parse(rt.text)
    if parsed is None:
        return None
    resolved = _resolve(rt, *parsed)
    if resolved is None:
        return None
    return build(*resolved)


def build(rt: RuleText, left: str, right: str, key: str) -> Compiled | None:
    table = rt.table
    if any(rt.col(c) is None for c in (left, right, key)) or key in (left, right):
        return None
    if rt.col(left).type.kind not in NUMERIC or rt.col(right).type.kind not in NUMERIC:
        return None  # summing text is no rule a database can check
    q, lit = names.quote_ident, names.quote_literal
    trigger = names.trg_name(table.name, rt.rule.name)
    fn = names.shorten(f"fn_{table.name}_{rt.rule.name}")
    if any(t.name == trigger for t in table.triggers):
        return None
    key_type = type_sql(rt.col(key).type)
    target = f"{q(table.schema)}.{q(table.name)}"
    body = f"""
DECLARE
    v_keys {key_type}[] := ARRAY[]::{key_type}[];
    v_key {key_type};
    v_left numeric;
    v_right numeric;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        v_keys := v_keys || NEW.{q(key)};
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_keys := v_keys || OLD.{q(key)};
    END IF;
    FOREACH v_key IN ARRAY v_keys LOOP
        CONTINUE WHEN v_key IS NULL;
        SELECT coalesce(sum(t.{q(left)}), 0), coalesce(sum(t.{q(right)}), 0) INTO v_left, v_right
        FROM {target} AS t WHERE t.{q(key)} = v_key;
        IF v_left <> v_right THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = {lit(trigger)},
                MESSAGE = format('%s: for %s %s the sum of %s (%s) differs from the sum of %s (%s)',
                                 {lit(rt.rule.name)}, {lit(key)}, v_key, {lit(left)}, v_left, {lit(right)}, v_right);
        END IF;
    END LOOP;
    RETURN NULL;
END;
"""
    objects = add_trigger(rt, "balanced", trigger, fn, body, "AFTER", ("INSERT", "UPDATE", "DELETE"),
                          constraint=True, deferrable=True, initially_deferred=True)
    facts = rt.ctx.schema.facts
    rt.ctx.schema.facts = replace(facts, balanced_sums=facts.balanced_sums + (
        BalancedSums(table.name, key, left, right, trigger),))
    if fk_for(table, key) is None and table.index_leading((key,)) is None:
        rt.ctx.infer("rule.balanced", f"{table.name}.{key}", "no index leads with the key",
                     "each commit sums the rows of every key it touched: an index on the key keeps that cheap")
    return Compiled("balanced", objects, f"per {key} of {table.name}: sum({left}) = sum({right}), checked at commit "
                    "(deferred constraint trigger)")
