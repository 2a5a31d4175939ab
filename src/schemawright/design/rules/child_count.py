"""How many child rows a parent may have -> a trigger counting them under a lock of the parent row.

"A box has at most two swapped items" (on box_items or boxes): at most 2 rows of box_items with is_swap per
box; "A volunteer shift never has more signups than max_volunteers": the rows of volunteer_signups per
shift at most the shift's max_volunteers. The parent is the table the subject names (its singular name or
the last word of it: shift -> volunteer_shifts), the children the one table referencing it whose name ends
with the counted noun (items -> box_items, signups -> volunteer_signups); an adjective before the noun must
name a boolean column of the children (swapped -> is_swap), else the rule is not understood (the qualifier
is never dropped). Enforced by an AFTER INSERT OR UPDATE row trigger on the children that locks the parent
row (FOR NO KEY UPDATE: concurrent inserts for one parent wait for each other, so two transactions cannot
both take the last place) and counts; with a bound column, a trigger on the parent refuses lowering it
below the current count. A violation is refused with 23514 naming the trigger.
"""

from __future__ import annotations

import re

from schemawright.design.rules.base import NUMERIC, Compiled, RuleText, add_function
from schemawright.model import names
from schemawright.model.facts import ChildCount
from schemawright.model.names import singular
from schemawright.model.schema import Table, Trigger
from schemawright.model.types import Kind

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "twelve": 12, "twenty": 20}
_A = r"(?:a |an |each |every |one |the )?"
LIMIT = re.compile(_A + r"(?P<parent>[\w ]+?) (?:has|have|holds|contains|gets|may have|can have|may hold) "
                   r"(?:at most|no more than|not more than|up to|a maximum of) (?P<n>\d+|" + "|".join(_WORDS) +
                   r") (?P<noun>[\w ]+)")
AGAINST = re.compile(_A + r"(?P<parent>[\w ]+?) (?:never has|has never|may not have|cannot have|can't have|must not "
                     r"have|does not have|never gets|has no) more (?P<noun>[\w ]+?) than (?:its |the )?(?P<col>\w+)")


def _parent(rt: RuleText, phrase: str) -> Table | None:
    phrase = phrase.strip().replace(" ", "_")
    found = [t for t in rt.ctx.schema.tables if t.origin.path is not None and (
        singular(t.name) == phrase or singular(t.name).endswith("_" + phrase) or t.name == phrase)]
    return found[0] if len(found) == 1 else None


def _children(rt: RuleText, parent: Table, noun: str):
    noun = noun.strip().replace(" ", "_")
    out = []
    for t in rt.ctx.schema.tables:
        if t.name == noun or t.name.endswith("_" + noun) or singular(t.name) == singular(noun):
            fks = [fk for fk in t.foreign_keys if fk.ref_table == parent.name and len(fk.columns) == 1]
            if len(fks) == 1:
                out.append((t, fks[0]))
    return out[0] if len(out) == 1 else None


def _flag(table: Table, adjective: str) -> str | None:
    stems = {adjective}
    for suffix in ("ped", "ted", "ed", "d"):
        if adjective.endswith(suffix) and len(adjective) - len(suffix) >= 3:
            stems.add(adjective[: -len(suffix)])
    found = [c.name for c in table.columns if c.type.kind == Kind.BOOLEAN
             and c.name in {f"{p}{s}" for s in stems for p in ("is_", "", "was_", "has_")}]
    return found[0] if len(found) == 1 else None


def compile(rt: RuleText) -> Compiled | None:
    text = re.sub(r"\s*\(.*?\)\s*", " ", rt.text).strip()
    m = LIMIT.fullmatch(text) or AGAINST.fullmatch(text)
    if m is None:
        return None
    parent = _parent(rt, m.group("parent"))
    if parent is None or parent.primary_key is None or len(parent.primary_key.columns) != 1:
        return None
    words = m.group("noun").split()
    found, flag = _children(rt, parent, " ".join(words)), None
    if found is None and len(words) == 2:
        found = _children(rt, parent, words[1])
        if found is None:
            return None
        flag = _flag(found[0], words[0])
        if flag is None:
            return None  # "swapped items" with no swapped flag: never count every item instead
    if found is None or rt.table.name not in (parent.name, found[0].name):
        return None
    child, fk = found
    if "n" in m.groupdict() and m.group("n") is not None:
        limit, bound = str(_WORDS.get(m.group("n"), m.group("n"))), None
    else:
        bound = m.group("col")
        if parent.column(bound) is None or parent.column(bound).type.kind not in NUMERIC:
            return None
        limit = None
    return build(rt, parent, child, fk.columns[0], fk.ref_columns[0], flag, limit, bound)


def build(rt: RuleText, parent: Table, child: Table, key: str, parent_key: str, flag: str | None,
          limit: str | None, bound: str | None) -> Compiled | None:
    q, lit = names.quote_ident, names.quote_literal
    rel = lambda t: f"{q(t.schema)}.{q(t.name)}"  # noqa: E731
    t_child = names.trg_name(child.name, rt.rule.name)
    t_parent = names.trg_name(parent.name, rt.rule.name)
    if any(t.name == t_child for t in child.triggers) or any(t.name == t_parent for t in parent.triggers):
        return None
    counted = f"c.{q(key)} = v_key" + (f" AND c.{q(flag)}" if flag else "")
    maximum = limit if limit is not None else f"p.{q(bound)}"
    what = f"{child.name}{' with ' + flag if flag else ''} per {singular(parent.name)}"

    def body(key_expr: str, skip: str) -> str:
        return f"""
DECLARE
    v_key {_key_type(parent, parent_key)} := {key_expr};
    v_max numeric;
    v_count bigint;
BEGIN
    IF {skip} THEN
        RETURN NULL;
    END IF;
    SELECT {maximum} INTO v_max FROM {rel(parent)} AS p WHERE p.{q(parent_key)} = v_key FOR NO KEY UPDATE;
    IF v_max IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO v_count FROM {rel(child)} AS c WHERE {counted};
    IF v_count > v_max THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = TG_NAME,
            MESSAGE = format('%s: %s rows of %s (at most %s)', {lit(rt.rule.name)}, v_count, {lit(what)}, v_max);
    END IF;
    RETURN NULL;
END;
"""
    skip_child = f"NEW.{q(key)} IS NULL" + (f" OR NOT NEW.{q(flag)}" if flag else "")
    objects: list[str] = []
    plan = [(child, t_child, body(f"NEW.{q(key)}", skip_child), ("INSERT", "UPDATE"),
             (key, flag) if flag else (key,))]
    if bound is not None:
        plan.append((parent, t_parent, body(f"NEW.{q(parent_key)}", f"NEW.{q(bound)} IS NULL"), ("UPDATE",),
                     (bound,)))
    from dataclasses import replace
    for t, trigger, code, events, cols in plan:
        fn = names.shorten(f"fn_{t.name}_{rt.rule.name}")
        made = add_function(replace(rt, table=t), "child_count", fn, code)
        t.triggers.append(Trigger(name=trigger, function=fn, timing="AFTER", events=events, columns=cols,
                                  origin=rt.origin("child_count")))
        objects += [f"TRIGGER {t.name}.{trigger}", made]
    facts = rt.ctx.schema.facts
    rt.ctx.schema.facts = replace(facts, child_counts=facts.child_counts + (ChildCount(
        parent=parent.name, parent_key=parent_key, child=child.name, child_key=key, flag=flag,
        limit=int(limit) if limit is not None else None, bound=bound,
        triggers=tuple(trigger for _, trigger, *_ in plan)),))
    return Compiled("child_count", objects, f"at most {limit or bound} {what} (counted under a lock of the "
                    f"{singular(parent.name)} row)")


def _key_type(table: Table, column: str) -> str:
    return str(table.column(column).type)
