"""Types implied by usage: a column no naming rule knows takes the type its uses in the input imply.

``tip`` compared with a number in a check is a number; ``valid_to > valid_from`` with ``valid_from`` a
date makes ``valid_to`` a date. Read from attribute checks, business rules with a check, check
constraints and the structured business rules, and the sums of free-text rules ("the sum of
credits_out equals ..."); the first use that implies a type wins.
"""

from __future__ import annotations

import re

from schemawright.design.columns import MONEY, guess_column
from schemawright.model.types import DataType, Kind

_NUMBER = r"-?\d+(?:\.\d+)?"
_OPS = r"(?:<=|>=|<>|!=|=|<|>|\+|-|\*|/)"


def _texts(ctx, table: str) -> list[str]:
    from schemawright.design.context import table_name_for
    dm = ctx.spec.data_model
    out: list[str] = []
    for entity in dm.entities:
        if table_name_for(entity.name) == table:
            out += [a.check for a in entity.attributes if a.check]
    out += [r.check for r in dm.business_rules if r.check and r.entity and table_name_for(r.entity) == table]
    out += [c.expression for c in dm.constraints if c.expression and table_name_for(c.entity) == table]
    return out


def implied_type(ctx, table: str, col: str) -> tuple[DataType, str] | None:
    word = re.escape(col)
    words = re.escape(col.replace("_", " "))
    for rule in ctx.spec.data_model.business_rules:  # "the sum of credits_out equals ...": a number
        text = (rule.description or "").lower()
        if re.search(rf"\b(?:sum|total|average) of (?:the )?(?:{word}|{words})s?\b", text):
            return DataType(Kind.NUMERIC), f"summed in business rule {rule.name} ({rule.description!r}): numeric"
    found = _free_text_comparison(ctx, table, col)
    if found is not None:
        return found
    for text in _texts(ctx, table):
        if re.search(rf"(?<![\w.'])(?:{word}\s*{_OPS}\s*{_NUMBER}(?![\w'])|{_NUMBER}\s*{_OPS}\s*{word}(?![\w']))", text) \
                or re.search(rf"(?<![\w.']){word}\s+BETWEEN\s+{_NUMBER}\s+AND\s+{_NUMBER}", text, re.I):
            scale = "." in text
            return (MONEY if scale else DataType(Kind.NUMERIC)), (
                f"used as a number in the input's check {text!r}: numeric")
        for other in re.findall(rf"(?<![\w.']){word}\s*{_OPS}\s*([a-z_][a-z0-9_]*)", text) + re.findall(
                rf"([a-z_][a-z0-9_]*)\s*{_OPS}\s*{word}(?![\w'])", text):
            if other.lower() in ("and", "or", "not", "null", "true", "false", col):
                continue
            guess = guess_column(other)
            if guess.rule not in ("type.fallback",) and guess.type.kind not in (Kind.TEXT, Kind.VARCHAR):
                return guess.type, f"compared or combined with {other} ({guess.type}) in the input's check {text!r}"
    return None


def _free_text_comparison(ctx, table: str, col: str) -> tuple[DataType, str] | None:
    """A free-text business rule of this table comparing the column with a number ("brood_frames must not
    exceed 40", "weight is between 0.5 and 2"): a whole number makes it an integer, a decimal numeric."""
    from schemawright.design.context import table_name_for
    from schemawright.design.rules.base import normalise
    from schemawright.design.rules.comparison import numeric_bounds

    for rule in ctx.spec.data_model.business_rules:
        if rule.check is not None or not rule.description:
            continue
        if rule.entity and table_name_for(rule.entity) != table and rule.entity != table:
            continue
        numbers = numeric_bounds(normalise(rule.description), col)
        if numbers:
            kind = Kind.NUMERIC if any("." in n for n in numbers) else Kind.INTEGER
            return DataType(kind), (f"compared with {' and '.join(numbers)} in business rule {rule.name} "
                                    f"({rule.description!r}): {kind.value}")
    return None
