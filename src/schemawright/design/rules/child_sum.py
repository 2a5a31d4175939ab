""""The sum of amount of invoice_lines equals the subtotal of the invoice" -> deferred constraint triggers.

A parent's column equals the sum of a column of its child rows (the rows whose single-column foreign key
references it). The lines of an invoice are written one by one, and the parent before or after them, so
the equality can only hold at the end of a transaction: two ``CREATE CONSTRAINT TRIGGER ... DEFERRABLE
INITIALLY DEFERRED``, one on the child (INSERT, UPDATE, DELETE: each parent a statement touched is summed
again) and one on the parent (INSERT, UPDATE OF the column or the key). At commit a parent whose column
differs from its children's sum (no children: 0) aborts the commit with 23514 (check_violation) naming
the trigger. A NULL parent column is not checked (unknown is not a contradiction; NOT NULL is the
column's business). A parent deleted in the same transaction (cascading to its lines) is skipped.

Forms: "the sum of <column> of <child table> equals the <column> of the <parent> [per <parent>]",
"the <column> of the <parent> equals the sum of <column> of <child table>", "... of its <child table>".
"""

from __future__ import annotations

import re
from dataclasses import replace

from schemawright.design.rules.base import NUMERIC, Compiled, RuleText, add_function
from schemawright.dialects import type_sql
from schemawright.model import names
from schemawright.model.facts import ChildSum
from schemawright.model.names import singular
from schemawright.model.schema import Table, Trigger

_EQUAL = r"(?:equals|equal|must equal|must be equal to|is equal to|is|must be|matches|match)"
_TAIL = r"(?: (?:per|for each|for every|of each|for an?|for the) .+)?"
_SUM = r"(?:the )?(?:sum|total) of (?:the |all )?(?P<summed>[\w ]+?) (?:of|on|over|across) (?:the |all |its |their )?(?P<child>[\w ]+?)"
_COL = r"(?:the )?(?P<column>[\w ]+?) of (?:the |its |their |an? )?(?P<parent>[\w ]+?)"
FORMS = (re.compile(rf"{_SUM} {_EQUAL} {_COL}{_TAIL}"), re.compile(rf"{_COL} {_EQUAL} {_SUM}{_TAIL}"))


def _table(rt: RuleText, phrase: str) -> Table | None:
    phrase = phrase.strip()
    for t in rt.ctx.schema.tables:
        forms = {t.name, singular(t.name)}
        if phrase in forms | {f.replace("_", " ") for f in forms}:
            return t
    return None


def _column(ctx, table: Table, phrase: str) -> str | None:
    rt = RuleText(ctx=ctx, rule=None, table=table, path="", text="")  # type: ignore[arg-type]
    return rt.column_in(phrase)


def compile(rt: RuleText) -> Compiled | None:
    text = re.sub(r"\s*\(.*?\)\s*", " ", rt.text).strip()
    m = next((m for f in FORMS if (m := f.fullmatch(text))), None)
    if m is None:
        return None
    child, parent = _table(rt, m.group("child")), _table(rt, m.group("parent"))
    if child is None or parent is None or child is parent or parent.primary_key is None \
            or len(parent.primary_key.columns) != 1:
        return None
    refs = [fk for fk in child.foreign_keys if fk.ref_table == parent.name and len(fk.columns) == 1
            and fk.ref_columns == parent.primary_key.columns]
    if len(refs) != 1:
        return None
    summed, column = _column(rt.ctx, child, m.group("summed")), _column(rt.ctx, parent, m.group("column"))
    if summed is None or column is None:
        return None
    if child.column(summed).type.kind not in NUMERIC or parent.column(column).type.kind not in NUMERIC:
        return None  # summing text is no rule a database can check
    return build(rt, parent, column, child, refs[0].columns[0], summed)


def build(rt: RuleText, parent: Table, column: str, child: Table, key: str, summed: str) -> Compiled | None:
    q, lit = names.quote_ident, names.quote_literal
    pk = parent.primary_key.columns[0]
    key_type = type_sql(child.column(key).type)
    t_child = names.trg_name(child.name, rt.rule.name)
    t_parent = names.trg_name(parent.name, rt.rule.name)
    if any(t.name == t_child for t in child.triggers) or any(t.name == t_parent for t in parent.triggers):
        return None
    p_rel, c_rel = f"{q(parent.schema)}.{q(parent.name)}", f"{q(child.schema)}.{q(child.name)}"

    def body(collect: str) -> str:
        return f"""
DECLARE
    v_keys {key_type}[] := ARRAY[]::{key_type}[];
    v_key {key_type};
    v_column numeric;
    v_sum numeric;
BEGIN
{collect}
    FOREACH v_key IN ARRAY v_keys LOOP
        CONTINUE WHEN v_key IS NULL;
        SELECT p.{q(column)} INTO v_column FROM {p_rel} AS p WHERE p.{q(pk)} = v_key;
        CONTINUE WHEN NOT FOUND OR v_column IS NULL;
        SELECT coalesce(sum(c.{q(summed)}), 0) INTO v_sum FROM {c_rel} AS c WHERE c.{q(key)} = v_key;
        IF v_column <> v_sum THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = TG_NAME,
                MESSAGE = format('%s: %s %s has %s = %s, but the sum of %s of its %s is %s',
                                 {lit(rt.rule.name)}, {lit(parent.name)}, v_key, {lit(column)}, v_column,
                                 {lit(summed)}, {lit(child.name)}, v_sum);
        END IF;
    END LOOP;
    RETURN NULL;
END;
"""
    child_collect = f"""    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        v_keys := v_keys || NEW.{q(key)};
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_keys := v_keys || OLD.{q(key)};
    END IF;"""
    parent_collect = f"""    v_keys := v_keys || NEW.{q(pk)};"""
    objects = []
    for table, trigger, collect, events, cols in (
            (child, t_child, child_collect, ("INSERT", "UPDATE", "DELETE"), ()),
            (parent, t_parent, parent_collect, ("INSERT", "UPDATE"), ())):
        fn = names.shorten(f"fn_{table.name}_{rt.rule.name}")
        prt = replace(rt, table=table)
        objects.append(add_function(prt, "child_sum", fn, body(collect)))
        table.triggers.append(Trigger(name=trigger, function=fn, timing="AFTER", events=events, columns=cols,
                                      constraint=True, deferrable=True, initially_deferred=True,
                                      origin=rt.origin("child_sum")))
        objects.insert(len(objects) - 1, f"TRIGGER {table.name}.{trigger}")
    facts = rt.ctx.schema.facts
    rt.ctx.schema.facts = replace(facts, child_sums=facts.child_sums + (
        ChildSum(parent.name, pk, column, child.name, key, summed, (t_child, t_parent)),))
    return Compiled("child_sum", objects, f"{parent.name}.{column} = sum({child.name}.{summed}) per {key}, "
                    "checked at commit (deferred constraint triggers on both tables)")
