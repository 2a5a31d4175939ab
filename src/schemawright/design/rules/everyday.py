"""Everyday phrasings of the catalog's rules, tried after every other pattern.

People do not write column names; they write the nouns of their domain, with the table's own noun in front
("Refund amount must be greater than zero", "the deadline of a job ..."), units ("between 2 and 20
metres" on ``length_m``), "from 1 to 5", "Job status: a -> b", "each task gets only one review". This
pattern first reads such a text into the catalog's phrasing and hands it to the other patterns (the rule
is then enforced by theirs, named as theirs); then it understands a few forms of its own:

- an expression written as the description (``total = subtotal + vat_amount``) -> CHECK, parsed and
  type-checked like any check;
- two columns that must differ: "source and target language of a pair have to be different",
  "a route can't depart from and arrive at the same port" (the two columns ``*_port``) -> CHECK (a <> b);
- a status value that requires a column: "a cancelled booking must have cancelled_at filled in" ->
  CHECK (status IS DISTINCT FROM 'cancelled' OR cancelled_at IS NOT NULL);
- "a cabin can only be booked once per sailing unless the booking was cancelled" -> a unique index on
  (sailing_id, cabin_number) WHERE status IS DISTINCT FROM 'cancelled' (without the exception a UNIQUE);
- "a translator can list each language pair only once" -> UNIQUE (translator_id, source_language,
  target_language) (a "<noun> pair" is the table's two ``*_<noun>`` columns);
- "the same vessel can't be used for two sailings that overlap in time, cancelled sailings don't count"
  -> the overlap pattern's exclusion constraint (departs/arrives is a period too);
- "a task's deadline can't be later than the deadline of its job" -> the event_order pattern's deferred
  triggers (both columns dates or timestamps, the key NOT NULL).

Nothing is guessed: a noun that names no column, or two, leaves the rule not understood.
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design.rules import event_order, immutable, overlap, unique
from schemawright.design.rules.base import TEMPORAL, Compiled, RuleText
from schemawright.design.rules.comparison import COMPARATORS, _add, _negations, _verb_column
from schemawright.model import names
from schemawright.model.names import singular
from schemawright.model.schema import Expression, Index, IndexElement
from schemawright.model.types import Kind
from schemawright.spec.expressions import ExpressionError, parse_check

UNITS = ("m", "cm", "mm", "km", "metres", "meters", "kg", "g", "t", "l", "ml", "minutes", "min", "hours", "h",
         "days", "seconds", "s")
UNIT_WORDS = {"metres": "m", "meters": "m", "metre": "m", "meter": "m", "centimetres": "cm", "centimeters": "cm",
              "millimetres": "mm", "millimeters": "mm", "kilometres": "km", "kilometers": "km", "kilograms": "kg",
              "kilos": "kg", "grams": "g", "tonnes": "t", "tons": "t", "litres": "l", "liters": "l",
              "millilitres": "ml", "milliliters": "ml", "minutes": "minutes", "hours": "hours", "days": "days",
              "seconds": "seconds"}
_NUMBER = r"-?\d+(?:\.\d+)?"
_ARTICLE = r"(?:the|a|an|each|every|its|their|any)"
_EXCEPT = re.compile(r",? *(?:unless|except(?: when| if| for)?|other than|apart from|but not) (?:the |its |their )?"
                     r"(?:[\w]+ )?(?:is |was |has been |gets |are |were |have been )?(\w+)(?: ones?)?$")
_DONT_COUNT = re.compile(r",? *(\w+) [\w ]+? (?:don't|do not|doesn't|does not|never) count$")
_CONDITION = re.compile(r"\b(?:once|after|when|as soon as|if|unless)\b")
_NOT_CMP = [("not later than", "<="), ("not earlier than", ">="), ("not after", "<="), ("not before", ">="),
            ("not more than", "<="), ("not less than", ">=")]


# --- reading nouns as columns ------------------------------------------------------------------------

def _nouns(table) -> list[str]:
    """The table's own nouns: ``refunds`` -> refund, refunds; ``translator_language_pairs`` -> translator
    language pair, pair, pairs."""
    one = singular(table.name)
    out = {table.name.replace("_", " "), one.replace("_", " ")}
    if "_" in one:
        out |= {one.rsplit("_", 1)[1], table.name.rsplit("_", 1)[1]}
    return sorted(out, key=len, reverse=True)


def column(rt: RuleText, phrase: str) -> str | None:
    """The one column a phrase names: as the catalog reads it, else by a unit suffix (``length`` ->
    length_m) or as the first or last word(s) of one column's name (``cabin`` -> cabin_number)."""
    phrase = re.sub(rf"^{_ARTICLE} ", "", phrase.strip())
    phrase = re.sub(r"'s$", "", phrase)
    for noun in _nouns(rt.table):  # "refund amount", "the booking's status"
        phrase = re.sub(rf"^{re.escape(noun)}(?:'s)? (?=\w)", "", phrase)
    found = rt.column_in(phrase)
    if found is not None:
        return found
    word = phrase.replace(" ", "_")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", word):
        return None
    for cands in ([c.name for c in rt.table.columns if any(c.name == f"{word}_{u}" for u in UNITS)],
                  [c.name for c in rt.table.columns if c.name.startswith(word + "_") and not c.name.endswith("_id")],
                  [c.name for c in rt.table.columns if c.name.endswith("_" + word) and not c.name.endswith("_id")]):
        if len(cands) == 1:
            return cands[0]
        if cands:
            return None
    return None


def _contractions(text: str) -> str:
    """ "can't" -> "cannot" (the comparison pattern's negations read "cannot", and "can't" is ca + n't)."""
    for short, full in (("can't", "cannot"), ("won't", "will not"), ("shan't", "shall not"), ("mustn't", "must not"),
                        ("don't", "do not"), ("doesn't", "does not"), ("isn't", "is not"), ("aren't", "are not"),
                        ("shouldn't", "should not"), ("mayn't", "may not")):
        text = re.sub(rf"\b{short}\b", full, text)
    return text


def _neg(text: str) -> str:
    return _negations(_contractions(text))


def _rewrite(rt: RuleText) -> str:
    """The text in the catalog's words (see the module's docstring); unchanged when nothing applies."""
    text = _contractions(rt.text)
    text = re.sub(r"\s*\(.*?\)\s*", " ", text).strip()
    # units after a number: "between 2 and 20 metres" (the column carries the unit)
    text = re.sub(rf"({_NUMBER}) ?(?:{'|'.join(sorted(UNIT_WORDS, key=len, reverse=True))})\b", r"\1", text)
    # "from 1 to 5" -> "between 1 and 5"
    text = re.sub(rf"\b(?:is |are |must be |has to be |should be )?from ({_NUMBER}) to ({_NUMBER})$",
                  r"is between \1 and \2", text)
    # "the deadline of a job" / "of a pair": the table's own noun after a column (a sum's parent stays named)
    for noun in _nouns(rt.table):
        if not re.search(r"\b(?:sum|total) of\b", text):
            text = re.sub(rf" of {_ARTICLE} {re.escape(noun)}(?= |$)", "", text)
    # "the day it was received" -> received_on
    text = re.sub(r"\b(?:the (?:day|date|time|moment) (?:it|they) (?:was|were|is|are|got|get)|when (?:it|they) "
                  r"(?:was|were|is|are)) (\w+)",
                  lambda m: _verb_column(rt, m.group(1)) or m.group(0), text)
    # "Refund amount", "Vehicle length", "A task's deadline": the table's noun before a column
    for noun in _nouns(rt.table):
        text = re.sub(rf"^(?:{_ARTICLE} )?{re.escape(noun)}(?:'s)? (?=\w)",
                      lambda m: "" if _names_column_next(rt, text[m.end():]) else m.group(0), text)
    # a unit-suffixed column by its stem ("length" -> length_m)
    for c in rt.table.columns:
        stem = next((c.name[: -len(u) - 1] for u in UNITS if c.name.endswith("_" + u)), None)
        if stem and rt.col(stem) is None and len([d for d in rt.table.columns if d.name.startswith(stem + "_")]) == 1:
            text = re.sub(rf"(?<!\w){re.escape(stem.replace('_', ' '))}(?!\w)", c.name, text)
    # workflows: "Job status: a -> b", ", and x or y bookings can be cancelled"
    if "->" in text or "→" in text:
        text = re.sub(r"^(?:the )?((?:\w+ )?status)\s*:", r"\1 transitions:", text)
        text = re.sub(r",? and (?=[\w, ]+ (?:can|may) (?:be|become|go|move))", "; ", text)
        for noun in _nouns(rt.table):
            text = re.sub(rf" {re.escape(noun)}s? (?=(?:can|may) )", " ", text)
        text = re.sub(r"\b(can|may) be (\w+)$", r"\1 become \2", text)
        text = re.sub(r"\b(can|may) be (\w+)(?=;)", r"\1 become \2", text)
    # "each task gets only one review" -> "at most one review per task"
    m = re.fullmatch(r"(?:each|every|a|an|one) ([\w ]+?) (?:gets|has|receives|can have|may have|can get|can receive) "
                     r"(?:only |just )?(?:one|a single) (\w+)", text)
    if m:
        text = f"at most one {m.group(2)} per {m.group(1)}"
    # "its lines" -> "its invoice lines": a child table by the last word of its name
    m = re.search(r"\bof (?:its|their|the) (\w+)$", text)
    if m:
        tails = [t for t in rt.ctx.schema.tables if t.name.endswith("_" + m.group(1)) and t.origin.path is not None]
        if len(tails) == 1:
            text = text[:m.start(1)] + tails[0].name.replace("_", " ")
    text = re.sub(r"\bof an? (?=\w)", "of the ", text)
    text = re.sub(r"\bsum of the (\w+)s\b", r"sum of \1", text)
    return re.sub(r"\s+", " ", text).strip()


def _names_column_next(rt: RuleText, rest: str) -> bool:
    """Whether ``rest`` starts with a column's name or words (so a noun before it is the table's own)."""
    return any(rest == p or rest.startswith(p + " ") or rest.startswith(p + "s ") for p, _ in rt.phrases()) or \
        bool(re.match(r"(\w+)", rest)) and column(rt, re.match(r"(\w+)", rest).group(1)) is not None


# --- forms of its own --------------------------------------------------------------------------------

def _expression(rt: RuleText) -> Compiled | None:
    """A description that is itself a boolean expression over the table's columns."""
    text = (rt.rule.description or "").strip().rstrip(".")
    if not re.search(r"[=<>]", text) or not re.fullmatch(r"[\w\s=<>!+\-*/().,']+", text):
        return None
    try:
        parse_check(text, {c.name: c.type for c in rt.table.columns})
    except ExpressionError:
        return None
    return _as(_add(rt, text, tuple(c.name for c in rt.table.columns if re.search(rf"\b{c.name}\b", text)),
                    "the description is the expression"), "expression")


def _differ(rt: RuleText, text: str) -> Compiled | None:
    q = names.quote_ident
    pair = None
    # "source and target language ... have to be different", "a and b differ"
    m = re.fullmatch(r"(?:the )?(\w+) and (?:the )?(\w+)(?: (\w+))? (?:have to be|must be|should be|are|must|should) "
                     r"(?:always )?(?:different|differ|not be the same|distinct)", text) or \
        re.fullmatch(r"(?:the )?(\w+) and (?:the )?(\w+)(?: (\w+))? (?:differ|are never the same|not the same)", text)
    if m:
        a, b, noun = m.group(1), m.group(2), m.group(3)
        pair = (column(rt, f"{a} {noun}") or column(rt, f"{a}_{noun}"), column(rt, f"{b} {noun}")
                or column(rt, f"{b}_{noun}")) if noun else (column(rt, a), column(rt, b))
    # "a route can't depart from and arrive at the same port": the table's two *_port columns
    m = re.search(r"\bnot\b.* the same (\w+)$", _neg(text))
    if pair is None and m:
        noun = m.group(1)
        cols = [c.name for c in rt.table.columns if c.name.endswith("_" + noun) or c.name.startswith(noun + "_")
                and not c.name.endswith("_id")]
        refs = [c.name for c in rt.table.columns if c.name.endswith(f"_{noun}_id")]
        cols = cols if len(cols) == 2 else refs
        pair = tuple(cols) if len(cols) == 2 else None
    if not pair or None in pair or pair[0] == pair[1]:
        return None
    a, b = rt.col(pair[0]), rt.col(pair[1])
    if a.type.kind != b.type.kind and not ({a.type.kind, b.type.kind} <= {Kind.TEXT, Kind.VARCHAR, Kind.CHAR}):
        return None
    return _as(_add(rt, f"{q(pair[0])} <> {q(pair[1])}", pair, f"{pair[0]} differs from {pair[1]}"), "everyday")


def _status_requires(rt: RuleText, text: str) -> Compiled | None:
    """ "a cancelled booking must have cancelled_at filled in"."""
    m = re.fullmatch(r"(?:a |an |every |each |any )?(\w+) [\w ]+? (?:must|should|has to|always) (?:have|has) "
                     r"(?:a |an |the |its )?([\w ]+?)(?: (?:filled in|filled|set|given|recorded|entered|present))?", text)
    if not m:
        return None
    value, col = m.group(1), column(rt, m.group(2))
    status = [c.name for c in rt.table.columns if value in rt.values_of(c.name)]
    if col is None or len(status) != 1 or col == status[0]:
        return None
    q, lit = names.quote_ident, names.quote_literal
    expr = f"{q(status[0])} IS DISTINCT FROM {lit(value)} OR {q(col)} IS NOT NULL"
    return _as(_add(rt, expr, (status[0], col), f"{status[0]} = {value!r} requires {col}"), "conditional")


def _once_per(rt: RuleText, text: str) -> Compiled | None:
    """ "a cabin can only be booked once per sailing unless the booking was cancelled"."""
    exception = None
    e = _EXCEPT.search(text)
    if e:
        exception, text = e.group(1), text[:e.start()].strip()
    m = re.fullmatch(r"(?:a|an|the|each|every|one) ([\w ]+?) (?:can|may|is|will) (?:only )?(?:be )?(\w+) (?:only )?"
                     r"(?:once|one time) (?:per|for each|for every|on each|in each|within (?:a|one|each)) ([\w ]+)", text)
    if not m:
        return None
    what, scope = column(rt, m.group(1)), column(rt, m.group(3))
    if what is None or scope is None or what == scope:
        return None
    if exception is None:
        return unique.add_unique(rt, (scope, what))
    status = [c.name for c in rt.table.columns if exception in rt.values_of(c.name)]
    if len(status) != 1:
        return None
    return _partial_unique(rt, (scope, what), f"{names.quote_ident(status[0])} IS DISTINCT FROM "
                           f"{names.quote_literal(exception)}", exception)


def _partial_unique(rt: RuleText, cols: tuple[str, ...], where: str, label: str) -> Compiled | None:
    name = names.shorten(f"uq_{rt.table.name}_{'_'.join(cols)}_not_{label}")
    if any(ix.name == name for ix in rt.table.indexes):
        return None
    rt.table.indexes.append(Index(name=name, elements=tuple(IndexElement(column=c) for c in cols), unique=True,
                                  where=Expression(where), comment=rt.rule.description or None,
                                  origin=rt.origin("at_most_one")))
    return Compiled("at_most_one", [f"UNIQUE INDEX {name}"], f"UNIQUE ({', '.join(cols)}) WHERE {where}")


def _each_once(rt: RuleText, text: str) -> Compiled | None:
    """ "a translator can list each language pair only once"."""
    m = re.fullmatch(r"(?:a|an|the|each|every) ([\w ]+?) (?:can|may) (?:only )?\w+ (?:each|every|a|any|the same) "
                     r"([\w ]+?) (?:only )?(?:once|one time)", text)
    if not m:
        return None
    owner = column(rt, m.group(1))
    phrase = m.group(2)
    p = re.fullmatch(r"(\w+) pair", phrase)
    if p:
        cols = [c.name for c in rt.table.columns if c.name.endswith("_" + p.group(1))]
        if len(cols) != 2:
            return None
    else:
        one = column(rt, phrase)
        cols = [one] if one else []
    if owner is None or not cols or owner in cols:
        return None
    return unique.add_unique(rt, (owner, *cols))


_PERIODS = [("departs", "arrives"), ("departure", "arrival"), ("depart", "arrive"), ("leaves", "arrives"),
            ("pickup", "dropoff"), ("out", "back"), ("opens", "closes"), ("starts", "finishes")]


def _period(rt: RuleText) -> tuple[str, str] | None:
    found = overlap.period(rt)
    if found:
        return found
    cols = {c.name: c for c in rt.table.columns if c.type.kind in TEMPORAL}
    for name in cols:
        for s, e in _PERIODS:
            other = re.sub(rf"(^|_){s}(_|$)", rf"\g<1>{e}\g<2>", name)
            if other != name and other in cols and cols[other].type.kind == cols[name].type.kind:
                return name, other
    return None


def _two_overlapping(rt: RuleText, text: str) -> Compiled | None:
    """ "the same vessel can't be used for two sailings that overlap in time, cancelled sailings don't count"."""
    skip_value = None
    d = _DONT_COUNT.search(text) or _EXCEPT.search(text)
    if d:
        skip_value, text = d.group(1), text[:d.start()].strip()
    m = re.fullmatch(r"(?:the same|one|a|an|each|any) ([\w ]+?) (?:can't|cannot|can not|may not|must not|never|"
                     r"won't|is never) (?:be )?(?:\w+ )?(?:\w+ )?(?:for |in |on |to |by )?(?:two|2) ([\w ]+?) (?:that|which) "
                     r"(?:overlap|clash|collide)(?: in time)?", text)
    if not m or m.group(2).split()[-1] not in _nouns(rt.table) + [rt.table.name]:
        return None
    key = column(rt, m.group(1))
    found = _period(rt)
    pk = rt.table.primary_key.columns if rt.table.primary_key else ()
    if key is None or found is None or not pk:
        return None
    skip = None
    if skip_value is not None:
        status = [c.name for c in rt.table.columns if skip_value in rt.values_of(c.name)]
        if len(status) != 1:
            return None  # an exception not understood: never enforced without it
        skip = (status[0], skip_value)
    return overlap.build(rt, key, found[0], found[1], skip)


def _parent_comparison(rt: RuleText, text: str) -> Compiled | None:
    """ "a task's deadline can't be later than the deadline of its job": a date of the row against a date of
    the row it references (NOT NULL key), checked at commit by the event_order pattern's triggers."""
    text = _neg(text)
    for word, op in _NOT_CMP + COMPARATORS:
        m = re.fullmatch(rf"(.+?) (?:is |are |must be |should be |has to be |must |should )?{word} (?:the )?(.+?) "
                         r"of (?:its|their|the|his|her) (\w+)", text)
        if m and column(rt, m.group(1)) is not None:
            break
    else:
        return None
    own = column(rt, m.group(1))
    noun = m.group(3)
    parents = [(fk, rt.ctx.table(fk.ref_table)) for fk in rt.table.foreign_keys
               if len(fk.columns) == 1 and not rt.col(fk.columns[0]).nullable and fk.ref_table != rt.table.name
               and (singular(fk.ref_table) == noun or singular(fk.ref_table).endswith("_" + noun))]
    if own is None or len(parents) != 1 or parents[0][1] is None or op in ("<>", "="):
        return None
    fk, parent = parents[0]
    theirs = column(replace(rt, table=parent), m.group(2))
    if theirs is None:
        return None
    a, b = rt.col(own).type.kind, parent.column(theirs).type.kind
    if a not in TEMPORAL or b not in TEMPORAL or (a != b and Kind.DATE not in (a, b)):
        return None
    return event_order.build(rt, own, op, fk.columns[0], parent, fk.ref_columns[0], theirs,
                             f"{m.group(2)!r} of its {noun}")


def _as(compiled: Compiled | None, pattern: str) -> Compiled | None:
    if compiled is not None:
        compiled.pattern = pattern
    return compiled


def compile(rt: RuleText) -> Compiled | None:
    from schemawright.design.rules import PATTERNS  # the catalog this pattern ends

    found = _expression(rt)
    if found is not None:
        return found
    text = _rewrite(rt)
    if text != rt.text:
        again = replace(rt, text=text)
        for pattern in PATTERNS:
            if pattern.__name__ == __name__ or pattern is immutable and _CONDITION.search(text):
                continue  # "once an invoice is issued it cannot be changed": not the whole table append-only
            found = pattern.compile(again)
            if found is not None:
                return found
    for form in (_differ, _status_requires, _once_per, _each_once, _two_overlapping, _parent_comparison):
        found = form(rt, text)
        if found is not None:
            return found
    return None
