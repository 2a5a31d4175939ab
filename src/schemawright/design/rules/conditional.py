"""Conditional checks within a row -> CHECK (NOT condition OR consequence).

"An adverse event of grade 4 or 5 is always serious" -> CHECK (severity_grade NOT IN (4, 5) OR is_serious);
"A serious adverse event must have reported_to_sponsor_at filled in" -> CHECK (NOT is_serious OR
reported_to_sponsor_at IS NOT NULL). The condition is a value list of a numeric column (named by its
words or by the last word of its name: grade -> severity_grade when only one column ends so) or a boolean
column named by its adjective (serious -> is_serious); the consequence a boolean column or a column that
must be filled in. Anything else is not this pattern (the rule stays not understood).
"""

from __future__ import annotations

import re

from schemawright.design.rules.base import NUMERIC, Compiled, RuleText
from schemawright.design.rules.comparison import _add
from schemawright.model import names
from schemawright.model.types import Kind

_NUMBER = r"-?\d+(?:\.\d+)?"


def _flag(rt: RuleText, adjective: str) -> str | None:
    for cand in (f"is_{adjective}", adjective, f"has_{adjective}", f"was_{adjective}"):
        c = rt.col(cand)
        if c is not None and c.type.kind == Kind.BOOLEAN:
            return cand
    return None


def _column(rt: RuleText, word: str) -> str | None:
    col = rt.column_in(word)
    if col is not None:
        return col
    tails = [c.name for c in rt.table.columns if c.name.endswith("_" + word.replace(" ", "_"))]
    return tails[0] if len(tails) == 1 else None


def compile(rt: RuleText) -> Compiled | None:
    text = re.sub(r"\s*\(.*?\)\s*", " ", rt.text).strip()
    q = names.quote_ident
    # "<rows> of|with <column> 4 or 5 is|are always|must be <adjective>"
    m = re.fullmatch(rf"(?:a |an |every |each |any )?[\w ]+? (?:of|with) (?:a |an )?([\w ]+?) "
                     rf"({_NUMBER}(?:(?:, | or | and |, or ){_NUMBER})*) (?:is|are|must be|must always be|is always|"
                     r"are always|has to be) (?:always )?(\w+)", text)
    if m:
        col, flag = _column(rt, m.group(1)), _flag(rt, m.group(3))
        values = re.findall(_NUMBER, m.group(2))
        if col is None or flag is None or rt.col(col).type.kind not in NUMERIC:
            return None
        expr = f"{q(col)} NOT IN ({', '.join(values)}) OR {q(flag)}"
        return _as_conditional(_add(rt, expr, (col, flag), f"{col} in ({', '.join(values)}) implies {flag}"))
    # "a serious <row> must have <column> filled in"
    m = re.fullmatch(r"(?:a |an |every |each |any )?(\w+) [\w ]+? (?:must|should|has to|always) (?:have|has) "
                     r"(?:a |an |the )?([\w ]+?) (?:filled in|filled|set|given|recorded|entered|not null|present)", text)
    if m:
        flag, col = _flag(rt, m.group(1)), _column(rt, m.group(2))
        if flag is None or col is None or col == flag:
            return None
        expr = f"NOT {q(flag)} OR {q(col)} IS NOT NULL"
        return _as_conditional(_add(rt, expr, (flag, col), f"{flag} implies {col} is filled in"))
    return None


def _as_conditional(compiled: Compiled | None) -> Compiled | None:
    if compiled is not None:
        compiled.pattern = "conditional"
    return compiled
