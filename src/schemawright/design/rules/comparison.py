"""Ordering and ranges -> CHECK.

"ends_on is after starts_on", "quantity_reserved is at most quantity_on_hand", "destination_depot_id
differs from origin_depot_id", "tip is not negative", "weight_kg is greater than 0", "score is between 0
and 100", "adults must be at least 1", "visibility is one of public, followers, private", "brood_frames must not
exceed 40", "jar_count cannot be less than 1", "moisture is under 20", "no more than 8 guests".

Negations are read first ("must not", "may not", "cannot", "can't", "never" become "not"), so "cannot be
more than 40" is an upper bound and never the "more than" it contains.
"""

from __future__ import annotations

import re

from schemawright.design.rules.base import NUMERIC, ORDERED, Compiled, RuleText
from schemawright.model import names
from schemawright.model.schema import CheckConstraint, Source
from schemawright.spec.expressions import ExpressionError, parse_check
from schemawright.model.types import Kind

# longest first: "on or after" before "after"; the negated forms (after ``_negations``) before the rest
COMPARATORS = [
    ("not more than", "<="), ("no more than", "<="), ("not greater than", "<="), ("not exceed", "<="),
    ("not above", "<="), ("not over", "<="), ("not higher than", "<="), ("not larger than", "<="),
    ("not less than", ">="), ("no less than", ">="), ("not fewer than", ">="), ("no fewer than", ">="),
    ("not below", ">="), ("not under", ">="), ("not lower than", ">="), ("not smaller than", ">="),
    ("a maximum of", "<="), ("a minimum of", ">="), ("up to", "<="),
    ("greater than or equal to", ">="), ("less than or equal to", "<="), ("on or after", ">="),
    ("on or before", "<="), ("no earlier than", ">="), ("no later than", "<="), ("not before", ">="),
    ("not after", "<="), ("does not exceed", "<="), ("at least", ">="), ("at most", "<="),
    ("greater than", ">"), ("more than", ">"), ("less than", "<"), ("fewer than", "<"), ("later than", ">"),
    ("earlier than", "<"), ("after", ">"), ("before", "<"), ("exceeds", ">"), ("exceed", ">"),
    ("higher than", ">"), ("larger than", ">"), ("lower than", "<"), ("smaller than", "<"),
    ("above", ">"), ("over", ">"), ("below", "<"), ("under", "<"),
    ("is different from", "<>"), ("differs from", "<>"), ("different from", "<>"), ("is not equal to", "<>"),
    ("not equal to", "<>"), ("equals", "="), ("is equal to", "="),
]
_NUMBER = r"-?\d+(?:\.\d+)?"
# a trailing unit word after a range's upper bound: "between 0 and 15 percent", "between 2 and 8 degrees", "... 50%"
_UNIT = r"(?:%| ?(?:per cent|[a-z]+))?"
_VERB = r"(?:is|are|must be|must|should be|has to be|comes|come|shall be|always|may be|can be|has|have)?"
_NEGATION = re.compile(r"\b(?:(?:must|may|can|should|shall|will|does|do|is|are)(?: not|n't)|cannot|mustn't|"
                       r"(?:must |may |can |should |is |are )?never)(?: be)?(?= )")


def _negations(text: str) -> str:
    """ "must not exceed" -> "not exceed", "cannot be more than" -> "not more than"."""
    return _NEGATION.sub("not", text)


NUMBER_WORDS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9", "ten": "10", "twelve": "12", "twenty": "20"}
_BOUND_WORDS = r"(?:at most|at least|no more than|not more than|more than|fewer than|less than|up to|exceed|" \
               r"a maximum of|a minimum of|between|and)"


def _prepare(text: str) -> str:
    text = re.sub(r"^(?:the |a |an )", "", text)
    text = re.sub(r"\s*\(.*?\)\s*", " ", text).strip()
    # "at most two" -> "at most 2": number words after a bound (never "is one of a, b")
    text = re.sub(rf"\b({_BOUND_WORDS}) ({'|'.join(NUMBER_WORDS)})\b",
                  lambda m: f"{m.group(1)} {NUMBER_WORDS[m.group(2)]}", text)
    return _negations(text)


_EVENT_SYNONYMS = {"finish": "end", "finishes": "ends", "finished": "ended", "begin": "start", "begins": "starts",
                   "began": "started", "commence": "start", "commences": "starts"}


def _verb_column(rt: RuleText, verb: str) -> str | None:
    """The one date/time column an event verb names: ends -> ends_on, closes -> closes_on, collected ->
    collected_at, packed -> packed_at, opens -> opens_on/opened_on."""
    verb = _EVENT_SYNONYMS.get(verb, verb)  # "must finish after it begins": the end and the start
    forms = {verb}
    if verb.endswith("s"):
        base = verb[:-1]
        forms |= {base, base + "ed", base + "d"}
        if base.endswith("e"):
            forms.add(base[:-1] + "ed")
    if verb.endswith("ed"):
        forms |= {verb[:-2], verb[:-1]}
    if not verb.endswith(("s", "ed")):  # "has to end after it starts": the base form names ends_at too
        forms |= {verb + "s", verb + "ed", verb + "d"}
    found = [c.name for c in rt.table.columns if c.type.kind in ORDERED and any(
        c.name in (f"{f}_on", f"{f}_at", f"{f}_date", f"{f}_time", f"date_{f}") for f in forms)]
    return found[0] if len(found) == 1 else None


def _operand(rt: RuleText, fragment: str) -> tuple[str, tuple[str, ...]] | None:
    """A column, or a sum of numeric columns ("quantity_dispensed plus quantity_destroyed")."""
    parts = re.split(r" plus | \+ | added to ", fragment)
    if len(parts) == 1:
        col = rt.column_in(fragment)
        return (names.quote_ident(col), (col,)) if col else None
    cols = [rt.column_in(p) for p in parts]
    if None in cols or any(rt.col(c).type.kind not in NUMERIC for c in cols) or len(set(cols)) != len(cols):
        return None
    return "(" + " + ".join(names.quote_ident(c) for c in cols) + ")", tuple(cols)


# "a gardener may take no more than 5 packets per withdrawal", "at least 1 guest": the bound before the column
_BOUND_FIRST = re.compile(rf"(?:.*? )?(?P<word>no more than|not more than|at most|up to|a maximum of|no fewer than|"
                          rf"no less than|not less than|not fewer than|at least|a minimum of|more than|fewer than|"
                          rf"less than) (?P<n>{_NUMBER}) (?P<col>[a-z][\w ]*?)(?: (?:per|in|on|for|of) [\w ]+)?")


def _bound_first(text: str) -> tuple[str, str, str] | None:
    """(column phrase, operator, number) of a rule that puts the bound before the column."""
    m = _BOUND_FIRST.fullmatch(text)
    if m is None:
        return None
    op = dict(COMPARATORS).get(m.group("word")) or {"at least": ">=", "more than": ">", "fewer than": "<",
                                                   "less than": "<"}[m.group("word")]
    return m.group("col"), op, m.group("n")


def numeric_bounds(text: str, col: str) -> list[str]:
    """The numbers a (normalised) free-text rule compares ``col`` with, named by its name or its words
    ("brood_frames must not exceed 40" -> ["40"]): the usage that tells an untyped column's type."""
    text = _prepare(text)
    forms = (col, col.replace("_", " "))

    def names_col(fragment: str) -> bool:
        return re.sub(r"^(?:the|a|an|its|each|every)\s+", "", fragment.strip()) in forms

    m = re.fullmatch(rf"(.+?) {_VERB} ?between ({_NUMBER}) and ({_NUMBER}){_UNIT}", text)
    if m and names_col(m.group(1)):
        return [m.group(2), m.group(3)]
    for word, _op in COMPARATORS:
        m = re.fullmatch(rf"(.+?) {_VERB} ?{word} ({_NUMBER})%?", text)
        if m:
            return [m.group(2)] if names_col(m.group(1)) else []
    first = _bound_first(text)
    if first and (names_col(first[0]) or names_col(first[0].removesuffix("s"))):
        return [first[2]]
    return []


def _add(rt: RuleText, expr: str, columns: tuple[str, ...], what: str) -> Compiled | None:
    name = names.chk_name(rt.table.name, rt.rule.name)
    if any(c.name == name for c in rt.table.checks):
        return None
    if any(rt.col(c) is not None and rt.col(c).type.kind == Kind.MONEY for c in columns):
        expr = re.sub(r"(?<![\w.:'])(-?\d+(?:\.\d+)?)(?![\w.])", r"\1::money", expr)  # money > 0 does not exist
    try:  # canonical form, and a type check against the final column types
        parsed, used = parse_check(expr, {c.name: c.type for c in rt.table.columns})
    except ExpressionError:
        return None
    # a CHECK the designer inferred that the rule states again (fine_amount >= 0 from the money lexicon beside
    # "fine_amount must not be negative"): one constraint, the rule's, named after it and commented with its text
    rt.table.checks[:] = [c for c in rt.table.checks
                          if not (c.origin.source == Source.INFERRED and str(c.expression) == str(parsed))]
    rt.table.checks.append(CheckConstraint(name=name, expression=parsed, columns=used,
                                           comment=rt.rule.description or None, origin=rt.origin("comparison")))
    _drop_conflicting_default(rt, columns, expr)
    return Compiled("comparison", [f"CHECK {name}"], f"CHECK ({expr}): {what}")


def _drop_conflicting_default(rt: RuleText, columns: tuple[str, ...], expr: str) -> None:
    """An inferred default the rule now forbids (quantity DEFAULT 0 next to quantity > 0) is dropped."""
    if len(columns) != 1:
        return
    col = rt.col(columns[0])
    if col.default is None or not re.fullmatch(r"-?\d+(?:\.\d+)?", col.default.sql):
        return
    value = float(col.default.sql)
    m = re.fullmatch(rf'\S+ (>=|>|<=|<|<>) ({_NUMBER})', expr)
    if m is None:
        m2 = re.fullmatch(rf'\S+ BETWEEN ({_NUMBER}) AND ({_NUMBER})', expr)
        ok = m2 is None or float(m2.group(1)) <= value <= float(m2.group(2))
    else:
        bound = float(m.group(2))
        ok = {">=": value >= bound, ">": value > bound, "<=": value <= bound, "<": value < bound,
              "<>": value != bound}[m.group(1)]
    found = rt.attribute(col.name)
    if not ok and found is not None and found[1].default is not None:
        rt.ctx.problem(found[0] + ("default",), f"the default {found[1].default!r} of {rt.table.name}.{col.name} "
                       f"violates business rule {rt.rule.name} ({expr})", expected="a default the rule allows")
    elif not ok:
        col.default = None
        rt.ctx.infer("rule.default_dropped", f"{rt.table.name}.{col.name}", "no default",
                     f"the inferred default {value:g} violates business rule {rt.rule.name}")


def _comparable(a, b, op: str = "<") -> bool:
    if a.type.kind in NUMERIC and b.type.kind in NUMERIC:
        return True
    if op not in ("=", "<>") and any(c.origin.rule == "type.fallback" for c in (a, b)):
        return False  # ordering columns whose type nobody knows would compare strings ('9' > '10')
    if a.type.kind in ORDERED or b.type.kind in ORDERED:
        return a.type.kind == b.type.kind or {a.type.kind, b.type.kind} <= {Kind.DATE, Kind.TIMESTAMPTZ,
                                                                            Kind.TIMESTAMP}
    return a.type.kind == b.type.kind and not a.type.array_dims


def compile(rt: RuleText) -> Compiled | None:
    text = _prepare(rt.text)
    q = names.quote_ident
    # "x is one of a, b, c"
    m = re.fullmatch(r"(.+?) (?:is|must be) one of (.+)", text)
    if m and (col := rt.column_in(m.group(1))) and rt.col(col).type.kind in (Kind.TEXT, Kind.VARCHAR):
        values = [v.strip(" '\"") for v in re.split(r",\s*|\s+or\s+|\s+and\s+", m.group(2)) if v.strip(" '\"")]
        if values:
            expr = f"{q(col)} IN ({', '.join(names.quote_literal(v) for v in values)})"
            return _add(rt, expr, (col,), f"{col} takes one of {len(values)} values")
    # "x is between 1 and 5"
    m = re.fullmatch(rf"(.+?) {_VERB} ?between ({_NUMBER}) and ({_NUMBER}){_UNIT}", text)
    if m and (col := rt.column_in(m.group(1))) and rt.col(col).type.kind in NUMERIC:
        lo, hi = m.group(2), m.group(3)
        return _add(rt, f"{q(col)} BETWEEN {lo} AND {hi}", (col,), f"{col} in [{lo}, {hi}]")
    # "x is not negative" / "x is positive"
    m = re.fullmatch(rf"(.+?) {_VERB} ?(not negative|non-negative|never negative|positive|zero or more|"
                     r"strictly positive|greater than zero)", text)
    if m and (col := rt.column_in(m.group(1))) and rt.col(col).type.kind in NUMERIC:
        op = ">=" if m.group(2) in ("not negative", "non-negative", "never negative", "zero or more") else ">"
        return _add(rt, f"{q(col)} {op} 0", (col,), f"{col} {op} 0")
    first = _bound_first(text)
    if first and (col := rt.column_in(first[0])) and rt.col(col).type.kind in NUMERIC:
        return _add(rt, f"{q(col)} {first[1]} {first[2]}", (col,), f"{col} {first[1]} {first[2]}")
    # "a member may skip at most 4 weeks per season": the count the verb names (skipped_weeks)
    m = re.fullmatch(rf"(?:.+? )?(\w+) (no more than|not more than|at most|up to|a maximum of) ({_NUMBER}) (\w+)"
                     r"(?: (?:per|in|each|a) [\w ]+)?", text)
    if m:
        verb, noun = m.group(1), m.group(4)
        for cand in (f"{verb}ped_{noun}", f"{verb}ed_{noun}", f"{verb}d_{noun}", f"{noun}_{verb}ped",
                     f"{noun}_{verb}ed", f"{noun}_{verb}d"):
            if rt.col(cand) is not None and rt.col(cand).type.kind in NUMERIC:
                op = dict(COMPARATORS)[m.group(2)]
                return _add(rt, f"{q(cand)} {op} {m.group(3)}", (cand,), f"{cand} {op} {m.group(3)} ({verb} {noun})")
    # "dose_mg must be greater than 0 and at most 400": two bounds of one column
    two = _two_bounds(rt, text)
    if two is not None:
        return two
    # "a season ends after it starts", "an exhibition closes on or after it opens", "a box is collected
    # after it is packed": the verbs name the event columns of the row
    for word, op in COMPARATORS:
        m = re.fullmatch(rf"(?:[\w ]+ )?(\w+) {word} (?:it|they) (?:is |are |was |were |has been |have been )?(\w+)",
                         text)
        if m:
            left, right = _verb_column(rt, m.group(1)), _verb_column(rt, m.group(2))
            if left is None or right is None or left == right or not _comparable(rt.col(left), rt.col(right), op):
                return None
            return _add(rt, f"{q(left)} {op} {q(right)}", (left, right),
                        f"{left} {op} {right} ({m.group(1)} {word} {m.group(2)})")
    for word, op in COMPARATORS:
        m = re.fullmatch(rf"(.+?) {_VERB} ?{word} (.+)", text)
        if not m:
            continue
        right_text = m.group(2).strip()
        percent = re.fullmatch(rf"({_NUMBER})(?:%| ?percent| ?per cent)", right_text)
        left = rt.column_in(m.group(1))
        if left is None and percent:  # "the discount may not exceed 50 percent" -> discount_percent
            left = next((c for c in (rt.column_in(m.group(1) + suffix) for suffix in (" percent", " pct",
                                                                                     " percentage")) if c), None)
        if left is None:
            summed = _operand(rt, m.group(1))
            right = rt.column_in(right_text)
            if summed is None or len(summed[1]) < 2 or right is None or rt.col(right).type.kind not in NUMERIC:
                return None
            return _add(rt, f"{summed[0]} {op} {q(right)}", (*summed[1], right),
                        f"{' + '.join(summed[1])} {op} {right}")
        if percent:
            right_text = percent.group(1)
        if re.fullmatch(_NUMBER + r"%?", right_text):
            if rt.col(left).type.kind not in NUMERIC:
                return None
            number = right_text.rstrip("%")
            return _add(rt, f"{q(left)} {op} {number}", (left,), f"{left} {op} {number}")
        if right_text in ("zero", "0"):
            return _add(rt, f"{q(left)} {op} 0", (left,), f"{left} {op} 0")
        right = rt.column_in(right_text)
        if right is None or right == left or not _comparable(rt.col(left), rt.col(right), op):
            return None
        return _add(rt, f"{q(left)} {op} {q(right)}", (left, right), f"{left} {op} {right}")
    return None


def _two_bounds(rt: RuleText, text: str) -> Compiled | None:
    """ "x must be greater than 0 and at most 400" -> CHECK (x > 0 AND x <= 400)."""
    if " and " not in text or " between " in text:
        return None
    first, _, second = text.partition(" and ")
    for word, op in COMPARATORS:
        m = re.fullmatch(rf"(.+?) {_VERB} ?{word} ({_NUMBER})", first)
        if m:
            break
    else:
        return None
    col = rt.column_in(m.group(1))
    if col is None or rt.col(col).type.kind not in NUMERIC:
        return None
    for word2, op2 in COMPARATORS:
        m2 = re.fullmatch(rf"(?:{_VERB} )?{word2} ({_NUMBER})", second)
        if m2:
            break
    else:
        return None
    q = names.quote_ident(col)
    expr = f"{q} {op} {m.group(2)} AND {q} {op2} {m2.group(1)}"
    return _add(rt, expr, (col,), f"{col} {op} {m.group(2)} and {col} {op2} {m2.group(1)}")
