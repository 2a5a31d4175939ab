""""At most one active/primary/default X per Y" -> a partial unique index.

The qualifier becomes the index predicate: a boolean column (``is_primary``, ``is_active``, ``active``),
a value of a status column (``status = 'accepted'``), or a stated null test ("an open loan per copy
(returned_on is null)"). Without "per Y" the rule holds table-wide (a unique index on a constant). With no qualifier, the
rows themselves ("at most one issue per blood unit" on issues) -> a plain UNIQUE (blood_unit_id).
"Only one version of a recipe can be the current one" on recipes: the qualifier after the verb (is_current), and
the scope the table itself, identified by a UNIQUE holding the version column without it (UNIQUE (name, version)
-> UNIQUE (name) WHERE is_current). A parenthesis that states the rule ("a keg fill can only be out at one pub at
a time (at most one shipment without returned_on)") is compiled with the sentence's subject as the scope, and
"without X" is the predicate X IS NULL.
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


_ONE = r"(?:at most|only|no more than|not more than) one"


def compile(rt: RuleText) -> Compiled | None:
    stated = re.search(r"\((.*?)\)", rt.text)
    text = re.sub(r"\s*\(.*?\)\s*", " ", rt.text).strip()
    if stated and re.match(rf"(?:there is |there can be )?{_ONE} ", stated.group(1)):
        # the parenthesis says it exactly: "a keg fill can only be out at one pub at a time (at most one shipment
        # without returned_on)"; the sentence's subject (a keg fill -> keg_fill_id) is the scope
        lead = re.match(r"(?:a|an|each|every|one|the same) ([\w ]+?) (?:can|may|must|should|will|is|are)\b", text)
        subject = rt.column_in(lead.group(1)) if lead else None
        found = _compile(rt, stated.group(1), None, [subject] if subject else [])
        if found is not None:
            return found
    return _compile(rt, text, stated.group(1) if stated else None, [])


def _identity_without(rt: RuleText, noun: str) -> list[str] | None:
    """ "one version of a recipe" on recipes: the rows are versions of one thing, identified by the columns of a
    UNIQUE that holds the version column, without it (UNIQUE (name, version) -> name)."""
    col = rt.column_in(noun)
    if col is None:
        return None
    for u in rt.table.uniques:
        if col in u.columns and len(u.columns) > 1:
            return [c for c in u.columns if c != col]
    return None


def _compile(rt: RuleText, text: str, stated: str | None, outer: list[str]) -> Compiled | None:
    # "at most one shipment without returned_on": a stated null test
    absent = re.search(r" (?:without|with no|having no|that has no) (?:a |an |its )?(\w+(?: \w+)?)$", text)
    if absent and stated is None:
        for words in (absent.group(1), absent.group(1).split()[0]):
            if (col := rt.column_in(words)) is not None:
                stated, text = f"{col} is null", text[:absent.start()]
                break
    # "only one version of a recipe can be the current one": the qualifier after the verb
    v = re.fullmatch(rf"{_ONE} (\w+) (?:of|per|for) (?:a|an|each|every|the same|one) ([\w ]+?) (?:can|may|should|"
                     r"is allowed to) be (?:the |marked (?:as )?)?(\w+)(?: one)?", text)
    if v:
        scope = [rt.column_in(v.group(2))]
        if scope == [None] and v.group(2).replace(" ", "_") in (singular(rt.table.name), rt.table.name):
            scope = _identity_without(rt, v.group(1))
        if not scope or None in scope:
            return None
        return _index(rt, v.group(3), _predicate(rt, v.group(3), stated), outer + scope)
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
    found = _predicate(rt, adjective, stated, m.group(2) or "")
    if found is None and (m.group(3) or subject) and not stated and _names_the_rows(rt, adjective):
        # plain "at most one issue per blood unit": no qualifier, the rows themselves -> UNIQUE (blood_unit_id)
        cols = outer + ([subject] if subject else [])
        if m.group(3):
            cols += _scopes(rt, m.group(3))
        return add_unique(rt, tuple(cols), "at_most_one") if cols and None not in cols else None
    if found is None:
        return None
    scope: list[str] = outer + ([subject] if subject else [])
    if m.group(3):
        cols = _scopes(rt, m.group(3))
        if None in cols:
            return None
        scope += cols
    return _index(rt, adjective, found, scope)


def _scopes(rt: RuleText, text: str) -> list[str | None]:
    """The column of "per vehicle", or of each scope of "per vehicle per zone" / "per vehicle and zone"."""
    whole = rt.column_in(text)
    if whole is not None:
        return [whole]
    parts = re.split(r"\s*(?:,|\band\b|\bper\b|\bfor each\b|\bin each\b)\s*", text)
    return [rt.column_in(part) for part in parts if part] if len(parts) > 1 else [None]


def _index(rt: RuleText, adjective: str, found: tuple[str, tuple[str, ...]] | None, scope: list[str]) -> Compiled | None:
    if found is None or len(set(scope)) != len(scope) or set(scope) & set(found[1]):
        return None
    where = found[0]
    elements = tuple(IndexElement(column=c) for c in scope) or (IndexElement(expression=Expression("(true)")),)
    name = names.shorten(f"uq_{rt.table.name}_{'_'.join(scope) or 'single'}_{adjective}")
    if any(ix.name == name for ix in rt.table.indexes):
        return None
    rt.table.indexes.append(Index(name=name, elements=elements, unique=True, where=Expression(where),
                                  comment=rt.rule.description or None, origin=rt.origin("at_most_one")))
    return Compiled("at_most_one", [f"UNIQUE INDEX {name}"],
                    f"UNIQUE ({', '.join(scope) or 'true'}) WHERE {where}")
