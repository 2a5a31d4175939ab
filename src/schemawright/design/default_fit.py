"""Defaults that the table's own CHECKs refuse are dropped: a convention's ``DEFAULT 0`` on a quantity
meets a business rule ``quantity > 0``, and every insert that leaves the column out would fail (verify's
fixture rows and the application alike). The CHECKs are read as the seed reads them
(``datagen.rules.table_rules``: bounds and allowed values of one column); the decision is logged."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from schemawright.datagen.rules import table_rules
from schemawright.design.context import DesignContext


def _literal(text: str) -> Decimal | str | None:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    text = text.split("::", 1)[0].strip()
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None  # a function call (now(), gen_random_uuid()) or an expression: the server judges


def _refused(value: Decimal | str, rules) -> str | None:
    if rules.values is not None and str(value) not in rules.values:
        return f"not one of {', '.join(rules.values)}"
    if isinstance(value, Decimal):
        if rules.lo is not None and (value < rules.lo or (rules.lo_strict and value == rules.lo)):
            return f"{'>' if rules.lo_strict else '>='} {rules.lo} is required"
        if rules.hi is not None and (value > rules.hi or (rules.hi_strict and value == rules.hi)):
            return f"{'<' if rules.hi_strict else '<='} {rules.hi} is required"
    return None


def apply(ctx: DesignContext) -> None:
    from schemawright.design.context import column_name_for, table_name_for

    # A default spelled out as SQL (default_expression: what an import writes) is kept as written, as PostgreSQL
    # keeps it: the CHECK then only refuses inserts that leave the column out.
    spelled = {(table_name_for(e.name), column_name_for(a.name)) for e in ctx.spec.data_model.entities
               for a in e.attributes if a.default_expression is not None}
    for table in ctx.schema.tables:
        rules = table_rules(table)
        for column in table.columns:
            if column.default is None or column.name not in rules or (table.name, column.name) in spelled:
                continue
            value = _literal(str(column.default))
            if value is None:
                continue
            why = _refused(value, rules[column.name])
            if why is None:
                continue
            ctx.infer("default.refused_by_check", f"{table.name}.{column.name}", f"no DEFAULT {column.default}",
                      f"the table's CHECK refuses it ({why}): an insert that leaves the column out must give it")
            column.default = None
