"""Uniqueness -> UNIQUE constraint.

"code is unique within a hotel" -> UNIQUE (hotel_id, code); "barcode is unique"; "event_id and seat_id
are unique together"; "seat_number is unique within a venue, section and row_label"; "a student is
enrolled at most once per class" / "a profile likes a post at most once" / "one grade per student per
assessment" -> UNIQUE over the references named. "recipe names are unique per version" on recipes -> UNIQUE
(name, version) (the table's own noun before a column; a version goes last), and the scope column (version)
NOT NULL unless the input states its nullability: a NULL there would let a name repeat.
"""

from __future__ import annotations

import re

from schemawright.design.rules.base import Compiled, RuleText, fk_for
from schemawright.model import names
from schemawright.model.schema import Source, UniqueConstraint
from schemawright.model.types import Kind


def add_unique(rt: RuleText, columns: tuple[str, ...], pattern: str = "unique",
               scope: tuple[str, ...] = ()) -> Compiled | None:
    """UNIQUE (columns); ``scope``: the columns of a free-text "unique per/within X" that say within what (a NULL
    there would let duplicates through)."""
    if len(set(columns)) != len(columns) or any(rt.col(c) is None for c in columns):
        return None
    if any(rt.col(c).type.kind.name in ("JSON", "JSONB", "XML") for c in columns):
        return None
    table = rt.table
    existing = next((u for u in table.uniques if set(u.columns) == set(columns)), None)
    if existing is None and table.primary_key and set(table.primary_key.columns) == set(columns):
        return Compiled(pattern, [f"PRIMARY KEY {table.primary_key.name}"], "already the primary key")
    if existing is not None:
        return Compiled(pattern, [f"UNIQUE {existing.name}"], f"UNIQUE ({', '.join(existing.columns)}) already "
                        "declared")
    name = names.uq_name(table.name, columns)
    table.uniques.append(UniqueConstraint(name=name, columns=columns, origin=rt.origin(pattern)))
    required = _required(rt, columns, scope) if len(columns) > 1 else []
    return Compiled(pattern, [f"UNIQUE {name}"], f"UNIQUE ({', '.join(columns)})" + (
        f"; {', '.join(required)} NOT NULL" if required else ""))


def _required(rt: RuleText, columns: tuple[str, ...], scope: tuple[str, ...]) -> list[str]:
    """A NULL in the scope of "names are unique per version" lets duplicates through (NULLs are distinct): a
    plain value column of the scope whose nullability the input does not state becomes NOT NULL. The unique
    column itself may stay unknown (NULL) in many rows; references keep theirs (an optional link is the
    relationship's to state)."""
    out = []
    for c in scope:
        col, found = rt.col(c), rt.attribute(c)
        if not col.nullable or found is None or fk_for(rt.table, c) is not None or col.generated is not None:
            continue
        attr = found[1]
        if attr.nullable is not None or attr.required is not None or attr.optional is not None:
            continue
        col.nullable = False
        rt.ctx.infer("rule.unique", f"{rt.table.name}.{c}", "NOT NULL",
                     f"part of UNIQUE ({', '.join(columns)}) of business rule {rt.rule.name}: a NULL would let "
                     "duplicates through (NULLs are distinct)")
        out.append(c)
    return out


# a version number qualifies a row's identity: it goes last in the key ("names are unique per version" ->
# UNIQUE (name, version), which also serves lookups by name)
_VERSION = re.compile(r"^(?:version|revision|edition|[a-z_]+_version|version_no|version_number)$")


def _split_list(text: str) -> list[str]:
    return [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", text) if p.strip()]


def _day_column(rt: RuleText) -> str | None:
    """The one business date column of the table ("at most once per day" -> harvested_on)."""
    dates = [c.name for c in rt.table.columns if c.type.kind == Kind.DATE and c.origin.source != Source.CONVENTION]
    return dates[0] if len(dates) == 1 else None


def compile(rt: RuleText) -> Compiled | None:
    text = re.sub(r"\s*\(.*?\)\s*", " ", rt.text).strip()
    # a parenthesis that says it exactly wins: "... at most once per day (unique per hive and harvested_on)"
    for stated in re.findall(r"\((.*?)\)", rt.text):
        found = _unique_phrase(rt, stated.strip())
        if found is not None:
            return found
    found = _unique_phrase(rt, text)
    if found is not None:
        return found
    # "... at most once per X" / "once per" / "one <thing> per A per B" / "only once"; "per day" is the
    # table's one business date column
    # "a member can only be on the crew list of an outing once": each pair of the references named once;
    # the scope (the reference after "of"/"in"/"per") leads the key
    m = re.fullmatch(r"(?:[\w ]+ )?(?:can|may|is allowed to|should) only (?:be |appear |occur )?(?:[\w' ]+ )?once"
                     r"(?: [\w' ]+)?", text)
    if m and not re.search(r"\bonce (?:per|a|an|each|every)\b", text):
        cols = [c for c in rt.mentions(text) if c.endswith("_id")]
        scope = re.search(r".*\b(?:of|in|on|for|per|within) (?:a|an|the|each|one) (\w+(?: \w+)??)(?: once)?$", text)
        lead = rt.column_in(scope.group(1)) if scope else None
        if lead in cols:
            cols = [lead] + [c for c in cols if c != lead]
        if len(cols) >= 2:
            return add_unique(rt, tuple(cols))
    if re.search(r"\b(?:at most once|only once|once per|no more than once|one \w+(?: \w+)? per)\b", text):
        q = re.search(r"\bone (\w+) \w+ per\b", text)
        if q and _qualifier(rt, q.group(1)):
            return None  # "one active subscription per season": a UNIQUE without its WHERE would be wrong
        cols = [c for c in rt.mentions(text) if c.endswith("_id")]
        per = re.search(r"\b(?:once|one \w+(?: \w+)?) per (.+)", text)
        for col in rt.mentions(per.group(1)) if per else ():  # "one box per delivery week": a plain column
            if col not in cols and not col.endswith("_id"):
                cols.append(col)
        if re.search(r"\b(?:per|a|each) (?:day|date|calendar day)\b", text) and (day := _day_column(rt)):
            cols.append(day)
        if len(cols) >= 2:
            return add_unique(rt, tuple(cols))
    return None


def _qualifier(rt: RuleText, word: str) -> bool:
    """Whether ``word`` selects rows (a value of a column, or a boolean is_<word>/<word>)."""
    if any(rt.col(c) is not None and rt.col(c).type.kind == Kind.BOOLEAN for c in (f"is_{word}", word)):
        return True
    return any(word in rt.values_of(c.name) for c in rt.table.columns)


def _unique_phrase(rt: RuleText, text: str) -> Compiled | None:
    # "<cols> is/are unique (together)? [within|per|in|for <scope list>]"
    m = re.fullmatch(r"(?:the )?(.+?) (?:is|are|must be|should be|stays|remain|remains) unique(?: together)?"
                     r"(?: (?:within|per|in|for|across|inside) (.+?))?(?: together)?", text)
    if m:
        targets = [rt.column_in(p) for p in _split_list(m.group(1))]
        scope = [rt.column_in(p) for p in _split_list(m.group(2))] if m.group(2) else []
        if None in targets or None in scope or not targets:
            return None
        last = [c for c in scope if _VERSION.match(c) and fk_for(rt.table, c) is None]
        return add_unique(rt, tuple([c for c in scope if c not in last] + targets + last), scope=tuple(scope))
    # subject-less: "unique per hive and harvested_on", "unique together on a, b"
    m = re.fullmatch(r"(?:one row |a single row )?unique(?: together)? (?:per|over|on|by|for|across|of) (.+)", text)
    if m:
        cols = [rt.column_in(p) for p in _split_list(m.group(1))]
        if None in cols or not cols:
            return None
        return add_unique(rt, tuple(cols))
    return None
