""""status transitions: draft -> open -> paid or void; uncollectible -> paid" -> a trigger that lets a
row's status change only along the allowed transitions (SQLSTATE 23514, check_violation).

Each chain ``a -> b -> c`` allows a->b and b->c; chains are separated by ``;``, or by a comma when the
text on both sides of it holds an arrow ("open -> filled, open -> cancelled" is two chains, "draft -> paid,
void" is one). ``a or b`` (or ``a, b``) on either side stands for each value. "x or y can become z" is the same as ``x or y -> z``. Every value must be one of the
column's allowed values, else the rule is not understood (never a half-enforced workflow).
The allowed pairs are listed in the function (a VALUES list, the allowed-transitions table inlined):
changing the workflow is a migration that replaces the function.
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design.rules.base import Compiled, RuleText, add_trigger
from schemawright.model import names
from schemawright.model.facts import StatusTransitions


def _values(part: str) -> list[str]:
    return [v.strip(" '\"") for v in re.split(r"\s*(?:,|\bor\b|\band\b|/|\|)\s*", part) if v.strip(" '\"")]


def parse(text: str) -> tuple[str | None, list[tuple[str, str]]]:
    m = re.match(r"(?:the )?((?:\w+ )?\w+?)?\s*(?:transitions?|goes|moves|flows?|workflow|life ?cycle)\s*:?\s*(.*)", text)
    if not m or "->" not in text and "can become" not in text:
        return None, []
    column, rest = m.group(1), m.group(2)
    pairs: list[tuple[str, str]] = []
    order: list[str] = []  # the values in the order the chains name them ("any status before packaged")
    # "x or y can be cancelled", "... can go to dumped": an arrow, before the text is cut into chains
    rest = re.sub(r"\s+(?:can|may) (?:become|move to|go to|change to|turn into|be set to|be moved to|"
                  r"be changed to|be)\s+", " -> ", rest)
    for chain in _chains(rest):
        chain = re.sub(r"^(?:then|and)\s+", "", chain)
        steps = [_values(s) for s in re.split(r"\s*(?:->|→|=>)\s*", chain) if s.strip()]
        steps = [_any(step, order) for step in steps]
        if any(step is None for step in steps):
            return column, []  # "any status after ..." of a value no chain named: not understood
        for step in steps:
            order += [v for v in step if v not in order]
        for a, b in zip(steps, steps[1:]):
            pairs += [(x, y) for x in a for y in b if x != y and (x, y) not in pairs]
    return column, pairs


_ANY = re.compile(r"(?:any|every|each|all)(?: other)? (?:status(?:es)?|states?|stages?|steps?|values?)"
                  r"(?: (before|after|except|but|other than) (\w+))?")


def _any(step: list[str], order: list[str]) -> list[str] | None:
    """ "any status before packaged" -> the values the chains named before packaged; "any status" -> all of
    them so far; a step of plain values is itself."""
    if len(step) != 1 or not (m := _ANY.fullmatch(step[0])):
        return step
    if m.group(1) is None:
        return list(order) or None
    if m.group(2) not in order:
        return None
    i = order.index(m.group(2))
    return {"before": order[:i], "after": order[i + 1:]}.get(m.group(1), order[:i] + order[i + 1:]) or None


def _chains(rest: str) -> list[str]:
    """The chains of ``rest``: split at ``;``, and at a comma that ends one arrow chain and starts another."""
    arrow = re.compile(r"->|→|=>|\s(?:can|may) (?:become|move to|go to|change to)\s")
    chains: list[str] = []
    for part in re.split(r"\s*;\s*", rest):
        current: list[str] = []
        for piece in part.split(","):
            if current and arrow.search(piece) and arrow.search(",".join(current)):
                chains.append(",".join(current))
                current = []
            current.append(piece)
        chains.append(",".join(current))
    return [c.strip() for c in chains if c.strip()]


def compile(rt: RuleText) -> Compiled | None:
    column, pairs = parse(rt.text)
    if not pairs:
        return None
    col = rt.column_in(column) if column and column not in ("status",) else None
    col = col or ("status" if rt.col("status") is not None else None)
    if col is None:
        return None
    allowed = rt.values_of(col)
    if not allowed or any(a not in allowed or b not in allowed for a, b in pairs):
        return None
    return build(rt, col, pairs)


def build(rt: RuleText, col: str, pairs: list[tuple[str, str]]) -> Compiled | None:
    q, lit = names.quote_ident, names.quote_literal
    fn = names.shorten(f"fn_{rt.table.name}_{col}_transition")
    trigger = names.trg_name(rt.table.name, f"{col}_transition")
    if any(t.name == trigger for t in rt.table.triggers):
        return None
    rows = ",\n            ".join(f"({lit(a)}, {lit(b)})" for a, b in pairs)
    body = f"""
BEGIN
    IF NEW.{q(col)} IS NOT DISTINCT FROM OLD.{q(col)} THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM (VALUES
            {rows}) AS allowed(from_value, to_value)
        WHERE allowed.from_value = OLD.{q(col)}::text AND allowed.to_value = NEW.{q(col)}::text) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = {lit(names.shorten(f'chk_{rt.table.name}_{col}_transition'))},
            MESSAGE = format('%s: %s may not change from %L to %L (business rule %s)', TG_TABLE_NAME, {lit(col)},
                             OLD.{q(col)}, NEW.{q(col)}, {lit(rt.rule.name)});
    END IF;
    RETURN NEW;
END;
"""
    objects = add_trigger(rt, "transitions", trigger, fn, body, "BEFORE", ("UPDATE",))
    facts = rt.ctx.schema.facts
    rt.ctx.schema.facts = replace(facts, status_transitions=facts.status_transitions + (
        StatusTransitions(rt.table.name, col, tuple(tuple(p) for p in pairs)),))
    return Compiled("transitions", objects,
                    f"{len(pairs)} allowed transitions of {col}")
