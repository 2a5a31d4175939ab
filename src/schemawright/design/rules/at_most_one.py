""""At most one active/primary/default X per Y" -> a partial unique index.

The qualifier becomes the index predicate: a boolean column (``is_primary``, ``is_active``, ``active``),
a value of a status column (``status = 'accepted'``), or a stated null test ("an open loan per copy
(returned_on is null)"). Without "per Y" the rule holds table-wide (a unique index on a constant). With no qualifier, the
rows themselves ("at most one issue per blood unit" on issues) -> a plain UNIQUE (blood_unit_id).
"""

from __future__ import annotations

import re

from schemawright.design.rules.base import Compiled, RuleText
from schemawright.design.rules.unique import add_unique
from schemawright.model import names
from schemawright.model.names import singular
from schemawright.model.schema import Expression, Index, IndexElement
from schemawright.model.types import Kind


def _predicate(rt: RuleText, adjective: str, stated: str | None,
               following: str = "") -> tuple[str, tuple[str, ...]] | None:
    q = names.quote_ident
    if stated:
        m = re.fullmatch(r"(.+?) is (not )?null", stated.strip())
        if m and (col := rt.column_in(m.group(1))):
            return f"{q(col)} IS {'NOT ' if m.group(2) else ''}NULL", (col,)
    # "at most one primary contact": the adjective and the words after it (is_primary_contact), longest first
    words = following.split()
    longer = ["_".join([adjective, *words[:k]]) for k in range(len(words), 0, -1)]
    for cand in (*(f"{p}{w}" for w in longer for p in ("is_", "", "has_")), f"is_{adjective}", adjective,
                 f"has_{adjective}"):
        c = rt.col(cand)
        if c is not None and c.type.kind == Kind.BOOLEAN:
            return q(cand), (cand,)
    for c in rt.table.columns:
        if adjective in rt.values_of(c.name):
            return f"{q(c.name)} = {names.quote_literal(adjective)}", (c.name,)
    return None


def _names_the_rows(rt: RuleText, word: str) -> bool:
    """Whether ``word`` is the table's own noun (issue/issues, dispensing for dispensings, entry for
    credit_entries), not a qualifier such as ``active``."""
    noun = singular(rt.table.name)
    return word in (noun, rt.table.name, noun.split("_")[-1], singular(word) if word.endswith("s") else None)


def compile(rt: RuleText) -> Compiled | None:
    stated = re.search(r"\((.*?)\)", rt.text)
    text = re.sub(r"\s*\(.*?\)\s*", " ", rt.text).strip()
    # "a member has at most one active subscription per season", "an institution has at most one primary
    # contact": the subject is a scope too (member_id), named before the verb
    subject = None
    s = re.fullmatch(r"(?:a|an|each|every|one) ([\w ]+?) (?:has|have|may have|can have|gets|holds) "
                     r"((?:at most|only|no more than|not more than) one .+)", text)
    if s:
        subject = rt.column_in(s.group(1))
        if subject is None:
            return None
        text = s.group(2)
    m = re.fullmatch(r"(?:there is |there can be |there may be )?(?:at most|only|no more than|not more than) one "
                     r"(\w+)( [\w ]+?)??(?: (?:per|for each|for every|of each|of a|of an|in each|within) (.+))?", text)
    if not m:
        return None
    adjective = m.group(1)
    found = _predicate(rt, adjective, stated.group(1) if stated else None, m.group(2) or "")
    if found is None and (m.group(3) or subject) and not stated and _names_the_rows(rt, adjective):
        # plain "at most one issue per blood unit": no qualifier, the rows themselves -> UNIQUE (blood_unit_id)
        cols = [subject] if subject else []
        if m.group(3):
            cols.append(rt.column_in(m.group(3)))
        return add_unique(rt, tuple(cols), "at_most_one") if None not in cols else None
    if found is None:
        return None
    where, pred_cols = found
    scope: list[str] = [subject] if subject else []
    if m.group(3):
        col = rt.column_in(m.group(3))
        if col is None:
            return None
        scope.append(col)
    elements = tuple(IndexElement(column=c) for c in scope) or (IndexElement(expression=Expression("(true)")),)
    name = names.shorten(f"uq_{rt.table.name}_{'_'.join(scope) or 'single'}_{adjective}")
    if any(ix.name == name for ix in rt.table.indexes):
        return None
    rt.table.indexes.append(Index(name=name, elements=elements, unique=True, where=Expression(where),
                                  comment=rt.rule.description or None, origin=rt.origin("at_most_one")))
    return Compiled("at_most_one", [f"UNIQUE INDEX {name}"],
                    f"UNIQUE ({', '.join(scope) or 'true'}) WHERE {where}")
