""""A posting has either a debit or a credit, never both; amounts are not negative" -> CHECK.

Exactly one of two columns is present: for numeric columns "has a debit" means a non-zero debit (a
posting's other side holds 0, often the default), ``CHECK (num_nonnulls(NULLIF(debit, 0), NULLIF(credit, 0))
= 1)``; for other columns, a non-NULL value, ``CHECK (num_nonnulls(a, b) = 1)``. A trailing "; amounts are
not negative" (amounts, values, both, they) adds ``CHECK (a >= 0 AND b >= 0)`` for the two columns (a check
the table already has is not repeated). Any other trailing clause makes the rule not understood.

seed: when the two columns are also a balanced-sums pair (design/rules/balanced.py: debits equal credits per
entry), rows come in pairs of one key, the first holding the value on the left side, the second the same
value on the right side (datagen); verify attacks the CHECK like every other.
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design.rules.base import NUMERIC, Compiled, RuleText
from schemawright.model import names
from schemawright.model.facts import ExactlyOne
from schemawright.model.names import singular
from schemawright.model.schema import CheckConstraint
from schemawright.spec.expressions import ExpressionError, parse_check

FORM = re.compile(r"(?:an? |the |each |every )?(?P<subject>[\w ]+?) (?:has|have|holds|carries|records|gets|is) "
                  r"either (?:an? |the )?(?P<a>[\w ]+?) or (?:an? |the )?(?P<b>[\w ]+?),? (?:but )?(?:never|not) "
                  r"both(?:[;,] (?:and )?(?P<tail>.+))?")
SIGN = re.compile(r"(?:the )?(?:amounts|values|both|they|both amounts|both values) (?:are|is|must be) "
                  r"(?:not negative|non-negative|never negative|zero or more)")


def compile(rt: RuleText) -> Compiled | None:
    m = FORM.fullmatch(rt.text)
    if m is None:
        return None
    subject = m.group("subject").replace("_", " ")
    if subject not in {rt.table.name.replace("_", " "), singular(rt.table.name).replace("_", " ")}:
        return None
    a, b = rt.column_in(m.group("a")), rt.column_in(m.group("b"))
    if a is None or b is None or a == b:
        return None
    tail = m.group("tail")
    if tail is not None and not SIGN.fullmatch(tail.strip()):
        return None
    numeric = rt.col(a).type.kind in NUMERIC and rt.col(b).type.kind in NUMERIC
    q = names.quote_ident
    present = (lambda c: f"NULLIF({q(c)}, 0)") if numeric else q
    checks = [(names.chk_name(rt.table.name, rt.rule.name), f"num_nonnulls({present(a)}, {present(b)}) = 1")]
    if tail is not None:
        if not numeric:
            return None
        checks.append((names.chk_name(rt.table.name, rt.rule.name + "_sign"), f"{q(a)} >= 0 AND {q(b)} >= 0"))
    objects = []
    types = {c.name: c.type for c in rt.table.columns}
    have = {c.expression.sql for c in rt.table.checks}
    for name, expr in checks:
        if any(c.name == name for c in rt.table.checks):
            return None
        try:
            parsed, used = parse_check(expr, types)
        except ExpressionError:
            return None
        if name.endswith("_sign") and {f"{q(a)} >= 0", f"{q(b)} >= 0"} <= have:
            existing = [c.name for c in rt.table.checks if c.expression.sql in (f"{q(a)} >= 0", f"{q(b)} >= 0")]
            objects += [f"CHECK {n}" for n in existing]  # already there (inferred): not repeated
            continue
        rt.table.checks.append(CheckConstraint(name=name, expression=parsed, columns=used,
                                               comment=rt.rule.description or None, origin=rt.origin("either_or")))
        objects.append(f"CHECK {name}")

    facts = rt.ctx.schema.facts
    rt.ctx.schema.facts = replace(facts, exactly_one=facts.exactly_one + (ExactlyOne(rt.table.name, a, b, numeric),))
    return Compiled("either_or", objects, f"exactly one of {a}, {b} {'non-zero' if numeric else 'set'}"
                    + (f"; {a}, {b} >= 0" if tail else ""))
