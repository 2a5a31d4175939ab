""""The insured value of a loan is at least the object's valuation" -> deferred constraint triggers comparing a
column with a column of the row it references.

The rule names a column of its table (``the insured value`` -> insured_value, optionally followed by ``of a
loan`` naming the table), a comparison (at least, at most, more than, less than, no more than, does not
exceed...) and a column of a referenced row, as ``the object's valuation`` or ``the valuation of its object``:
the referenced table is the one a foreign key of the rule's table points at whose name (or the key's noun,
object_id -> object) is that word, and the column is named there. Both sides are amounts, or both dates or
times. The comparison spans two tables, so it is enforced like event_order's rules: constraint triggers on
both tables (INSERT or UPDATE of the column or the key; UPDATE of the referenced column), deferred to the
commit, refusing with 23514 naming the trigger. A NULL on either side, or no referenced row, is not checked.

"A dose is administered within the window of its visit": the verb names a date or time column of the table
(administered -> administered_at, as in event_order), the noun a pair of columns of the referenced row that
bound a window (window_start and window_end; _from/_to, _opens/_closes...): two such comparisons, >= the start
and <= the end; a timestamp against dates is compared by its date (a dose on the window's last day is in it).

"An appeal must be filed within 21 days of the citation being issued": the verb names the table's date or time
(filed -> filed_at), the participle the referenced row's (issued -> the citation's issued_at): two comparisons,
filed_at >= issued_at and filed_at - interval '21 days' <= issued_at (hours, days, weeks, months, years).
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design.rules import event_order
from schemawright.design.rules.base import NUMERIC, TEMPORAL, Compiled, RuleText, fk_for, is_own_table
from schemawright.model.names import singular
from schemawright.model.types import Kind

_CMP = {"at least": ">=", "no less than": ">=", "not less than": ">=", "never less than": ">=",
        "never below": ">=", "not below": ">=", "greater than or equal to": ">=",
        "at most": "<=", "no more than": "<=", "not more than": "<=", "never more than": "<=",
        "less than or equal to": "<=", "never exceeds": "<=", "does not exceed": "<=", "must not exceed": "<=",
        "may not exceed": "<=", "cannot exceed": "<=", "can't exceed": "<=", "can not exceed": "<=",
        "never exceed": "<=", "not exceed": "<=", "within": "<=",
        "more than": ">", "greater than": ">", "higher than": ">", "above": ">", "exceeds": ">",
        "less than": "<", "lower than": "<", "below": "<", "under": "<"}
_ALT = "|".join(re.escape(k) for k in sorted(_CMP, key=len, reverse=True))
_ART = r"(?:the |an? |each |every |its |their )?"
FORM = re.compile(rf"{_ART}(?P<own>[\w ]+?)(?: of {_ART}(?P<subject>[\w ]+?))? (?:must |should |has to |have to |can |"
                  rf"may |will |shall )?(?:always |never |not )?(?:be |is |are |stays? |remains? )?(?:always )?"
                  rf"(?P<cmp>{_ALT}) (?:that of )?(?:(?:the |its |their )(?P<parent>[\w ]+?)'s? (?P<pcol>[\w ]+?)|"
                  rf"(?:the |its |their )(?P<pcol2>[\w ]+?) of (?:the |its |their |an? )(?P<parent2>[\w ]+?))")
_KINDS = (NUMERIC, TEMPORAL)
WINDOW = re.compile(rf"{_ART}(?P<subject>[\w ]+?) (?:is|are|must be|has to be|should be|can only be|is always|are always|"
                    rf"gets|get) (?P<verb>[a-z]+) (?:within|inside|during) (?:the |its |their )(?P<window>[\w ]+?) of "
                    rf"(?:its|their|the) (?P<parent>[\w ]+)")
WITHIN = re.compile(rf"{_ART}(?P<subject>[\w ]+?) (?:is|are|must be|has to be|have to be|should be|can only be|"
                    rf"may only be|gets|get) (?P<verb>[a-z]+) within (?P<n>\d+) (?P<unit>hours?|days?|weeks?|months?|"
                    rf"years?) (?:of|after|from) (?:the |its |their |an? )(?P<parent>[\w ]+?) (?:being |is |was |"
                    rf"has been |getting |gets )?(?P<part>[a-z]+)")
_STARTS = ("start", "starts", "from", "begin", "begins", "open", "opens", "opening")
_ENDS = ("end", "ends", "to", "until", "close", "closes", "closing")


def _parent_fk(rt: RuleText, word: str):
    """The one single-column foreign key of the table whose target (or key noun) is ``word``."""
    found = []
    for fk in rt.table.foreign_keys:
        if len(fk.columns) != 1 or fk.ref_table == rt.table.name:
            continue
        noun = fk.columns[0][:-3] if fk.columns[0].endswith("_id") else fk.columns[0]
        ref = singular(fk.ref_table)
        if word in (noun, ref) or ref.endswith("_" + word) or noun.endswith("_" + word):
            found.append(fk)
    return found[0] if len(found) == 1 else None


def _window(rt: RuleText) -> Compiled | None:
    m = WINDOW.fullmatch(rt.text)
    if m is None:
        return None
    if not is_own_table(rt, m.group("subject").strip()):
        return None
    column = event_order._dated(rt.table, m.group("verb"))
    fk = _parent_fk(rt, m.group("parent").strip().replace(" ", "_"))
    if column is None or fk is None or (parent := rt.ctx.table(fk.ref_table)) is None:
        return None
    stem = m.group("window").strip().replace(" ", "_")
    bounds = {}
    for side, words in (("start", _STARTS), ("end", _ENDS)):
        found = [c.name for c in parent.columns if c.type.kind in TEMPORAL
                 and any(c.name == f"{stem}_{w}" or c.name == f"{w}_{stem}" for w in words)]
        if len(found) != 1:
            return None
        bounds[side] = found[0]
    kind, theirs = rt.col(column).type.kind, {parent.column(b).type.kind for b in bounds.values()}
    if kind not in TEMPORAL or not theirs <= set(TEMPORAL):
        return None
    cast = "::date" if theirs == {Kind.DATE} and kind != Kind.DATE else ""
    why = f"{stem.replace('_', ' ')!r} of the row {fk.columns[0]} references: {bounds['start']} .. {bounds['end']}"
    objects, summaries = [], []
    for side, op in (("start", ">="), ("end", "<=")):
        made = event_order.build(rt, column, op, fk.columns[0], parent, fk.ref_columns[0], bounds[side], why,
                                 pattern="parent_compare", own_cast=cast, suffix=f"_{side}", spread=1)
        if made is None:
            return None
        objects += made.objects
        summaries.append(made.summary)
    return Compiled("parent_compare", objects, " and ".join(summaries))


def _within(rt: RuleText) -> Compiled | None:
    m = WITHIN.fullmatch(rt.text)
    if m is None or not is_own_table(rt, m.group("subject").strip()):
        return None
    column = event_order._dated(rt.table, m.group("verb"))
    fk = _parent_fk(rt, m.group("parent").strip().replace(" ", "_"))
    if column is None or fk is None or (parent := rt.ctx.table(fk.ref_table)) is None:
        return None
    theirs = event_order._dated(parent, m.group("part"))
    if theirs is None or not event_order._same_kind(rt.col(column), parent.column(theirs)):
        return None
    span = f"interval '{int(m.group('n'))} {m.group('unit').rstrip('s')}s'"
    why = f"{m.group('part')!r} names it; at most {m.group('n')} {m.group('unit')} after it"
    objects, summaries = [], []
    # the bound's unit is the span itself: seed and verify move a value by whole units (0 on the bound, 30 out)
    for side, op, shift in (("start", ">=", ""), ("end", "<=", f" - {span}")):
        made = event_order.build(rt, column, op, fk.columns[0], parent, fk.ref_columns[0], theirs, why,
                                 pattern="parent_compare", unit=span, own_cast=shift, suffix=f"_{side}", spread=1)
        if made is None:
            return None
        objects += made.objects
        summaries.append(made.summary)
    return Compiled("parent_compare", objects, " and ".join(summaries))


def compile(rt: RuleText) -> Compiled | None:
    return _pair(rt) or _window(rt) or _within(rt)


def _pair(rt: RuleText) -> Compiled | None:
    m = FORM.fullmatch(rt.text)
    if m is None:
        return None
    subject = (m.group("subject") or "").strip()
    own_name = singular(rt.table.name).replace("_", " ")
    if subject and subject not in (rt.table.name.replace("_", " "), own_name) and not own_name.endswith(" " + subject):
        return None
    column = rt.column_in(m.group("own"))
    parent_word = (m.group("parent") or m.group("parent2") or "").strip().replace(" ", "_")
    parent_phrase = (m.group("pcol") or m.group("pcol2") or "").strip()
    if column is None or not parent_word or fk_for(rt.table, column) is not None:
        return None
    fk = _parent_fk(rt, parent_word)
    parent = rt.ctx.table(fk.ref_table) if fk is not None else None
    if parent is None:
        return None
    parent_col = replace(rt, table=parent).column_in(parent_phrase)
    if parent_col is None:
        return None
    own, theirs = rt.col(column).type.kind, parent.column(parent_col).type.kind
    kinds = [k for k in _KINDS if own in k and theirs in k]
    if not kinds:
        return None
    unit = "1" if kinds[0] is NUMERIC else "interval '1 day'"
    return event_order.build(rt, column, _CMP[m.group("cmp")], fk.columns[0], parent, fk.ref_columns[0], parent_col,
                             f"{parent_word.replace('_', ' ')!r} names the row {fk.columns[0]} references",
                             pattern="parent_compare", unit=unit)
