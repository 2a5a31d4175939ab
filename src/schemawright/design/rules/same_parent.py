""""The room belongs to the same hotel as the reservation" -> a composite foreign key.

reservations(room_id, hotel_id) REFERENCES rooms(id, hotel_id), with the supporting UNIQUE (id,
hotel_id) on rooms: a reservation cannot name a room of another hotel. Needs the scope column
(``hotel_id``) on both tables; otherwise the rule is reported as not understood.

When the scope column is on the two referenced tables only ("The menu item belongs to the same merchant as
the order" on order_items: menu_items.merchant_id, orders.merchant_id; order_items has none), the rule is
enforced without adding a column: deferred constraint triggers (checked at commit, when the rows of one
transaction are all there) on the table (INSERT, UPDATE OF the two references) and on both referenced tables
(UPDATE OF their scope column) compare the two scopes and refuse a difference with 23514 naming the trigger.
"""

from __future__ import annotations

import re

from dataclasses import replace

from schemawright.design.rules.base import Compiled, RuleText, add_function, fk_for
from schemawright.dialects import type_sql
from schemawright.model import names
from schemawright.model.facts import SameScope
from schemawright.model.names import singular
from schemawright.model.schema import FkAction, ForeignKey, Table, Trigger, UniqueConstraint


def compile(rt: RuleText) -> Compiled | None:
    m = re.fullmatch(r"(?:the |a |an |each |every )?(.+?) (?:belongs|belong|must belong|is|are) (?:to |in |of |from )?"
                     r"the same (.+?) as (?:the |its |their )?(.+)", rt.text)
    if not m:
        return None
    child_col, scope_col = rt.column_in(m.group(1)), rt.column_in(m.group(2))
    owner = m.group(3).strip()
    if owner not in (singular(rt.table.name).replace("_", " "), rt.table.name.replace("_", " "),
                     (rt.rule.entity or "").replace("_", " ")):
        return _through_references(rt, m.group(1), m.group(2), owner)
    if child_col is None or scope_col is None or child_col == scope_col:
        return None
    fk, scope_fk = fk_for(rt.table, child_col), fk_for(rt.table, scope_col)
    if fk is None or scope_fk is None:
        return None
    target = rt.ctx.table(fk.ref_table)
    if target is None or target.partitioning is not None or len(fk.ref_columns) != 1:
        return None
    target_scope = next((f.columns[0] for f in target.foreign_keys
                         if len(f.columns) == 1 and f.ref_table == scope_fk.ref_table), None)
    if target_scope is None or target.column(target_scope).type != rt.col(scope_col).type:
        return None
    ref_cols = (fk.ref_columns[0], target_scope)
    objects = []
    if not any(set(u.columns) == set(ref_cols) for u in target.uniques):
        uq = names.uq_name(target.name, ref_cols)
        target.uniques.append(UniqueConstraint(name=uq, columns=ref_cols, origin=rt.origin("same_parent")))
        objects.append(f"UNIQUE {target.name}.{uq}")
    name = names.fk_name(rt.table.name, (child_col, scope_col))
    if any(f.name == name for f in rt.table.foreign_keys):
        return None
    if rt.col(child_col).nullable or rt.col(scope_col).nullable or target.column(target_scope).nullable:
        return None  # MATCH SIMPLE skips rows with a NULL: the rule would not hold
    # The composite key implies both single ones (the target's own scope key guarantees the scope row),
    # and one key over the pair keeps every writer and row generator consistent.
    rt.table.foreign_keys = [f for f in rt.table.foreign_keys if f is not fk and f is not scope_fk]
    rt.ctx.infer("rule.same_parent", f"{rt.table.name}.{fk.name}, {scope_fk.name}", f"replaced by {name}",
                 f"({child_col}, {scope_col}) REFERENCES {target.name} ({', '.join(ref_cols)}) implies both: "
                 f"{target.name}.{target_scope} itself references {scope_fk.ref_table}")
    rt.table.foreign_keys.append(ForeignKey(name=name, columns=(child_col, scope_col), ref_table=target.name,
                                            ref_columns=ref_cols, ref_schema=target.schema
                                            if target.schema != rt.table.schema else None,
                                            on_delete=fk.on_delete, on_update=FkAction.CASCADE
                                            if fk.on_update == FkAction.CASCADE else FkAction.NO_ACTION,
                                            origin=rt.origin("same_parent")))
    objects.insert(0, f"FOREIGN KEY {name}")
    return Compiled("same_parent", objects, f"({child_col}, {scope_col}) REFERENCES {target.name} "
                    f"({', '.join(ref_cols)})")


def _scope_of(rt: RuleText, table: Table, scope_phrase: str) -> str | None:
    """The column of ``table`` that the scope phrase names (a reference: ``merchant`` -> merchant_id)."""
    col = RuleText(ctx=rt.ctx, rule=rt.rule, table=table, path=rt.path, text=rt.text).column_in(scope_phrase)
    return col if col is not None and fk_for(table, col) is not None else None


def _through_references(rt: RuleText, child_phrase: str, scope_phrase: str, owner_phrase: str) -> Compiled | None:
    """"The menu item belongs to the same merchant as the order": both are references of the rule's table,
    and each referenced table has the scope reference."""
    child_col, owner_col = rt.column_in(child_phrase), rt.column_in(owner_phrase)
    if child_col is None or owner_col is None or child_col == owner_col:
        return None
    fk, owner_fk = fk_for(rt.table, child_col), fk_for(rt.table, owner_col)
    if fk is None or owner_fk is None or len(fk.ref_columns) != 1 or len(owner_fk.ref_columns) != 1:
        return None
    via, owner_table = rt.ctx.table(fk.ref_table), rt.ctx.table(owner_fk.ref_table)
    if via is None or owner_table is None or via is owner_table or rt.table in (via, owner_table):
        return None
    via_scope, owner_scope = _scope_of(rt, via, scope_phrase), _scope_of(rt, owner_table, scope_phrase)
    if via_scope is None or owner_scope is None or \
            fk_for(via, via_scope).ref_table != fk_for(owner_table, owner_scope).ref_table or \
            via.column(via_scope).type != owner_table.column(owner_scope).type:
        return None
    q, lit = names.quote_ident, names.quote_literal
    rel = lambda t: f"{q(t.schema)}.{q(t.name)}"  # noqa: E731
    v_key, o_key = fk.ref_columns[0], owner_fk.ref_columns[0]
    scope_type = type_sql(via.column(via_scope).type)
    join = (f"FROM {rel(rt.table)} AS t JOIN {rel(via)} AS v ON v.{q(v_key)} = t.{q(child_col)} "
            f"JOIN {rel(owner_table)} AS o ON o.{q(o_key)} = t.{q(owner_col)}")
    raise_ = (f"RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = TG_NAME,\n"
              f"            MESSAGE = format('%s: %s of %s (%s) is not the %s of %s (%s)', {lit(rt.rule.name)}, "
              f"{lit(via_scope)}, {lit(child_col)}, v_via, {lit(owner_scope)}, {lit(owner_col)}, v_owner);")
    def body(rows: str) -> str:  # the trigger function: the first of ``rows`` whose two scopes differ is refused
        return f"""
DECLARE
    v_via {scope_type};
    v_owner {scope_type};
BEGIN
    SELECT v.{q(via_scope)}, o.{q(owner_scope)} INTO v_via, v_owner
    {join}
    WHERE {rows}
    LIMIT 1;
    IF FOUND THEN
        {raise_}
    END IF;
    RETURN NULL;
END;
"""
    differ = f"v.{q(via_scope)} IS DISTINCT FROM o.{q(owner_scope)}"
    # on the rule's table: the row's own two references
    own = body(f"t.{q(child_col)} = NEW.{q(child_col)} AND t.{q(owner_col)} = NEW.{q(owner_col)}\n      AND {differ}")

    def referenced(side: str, key: str) -> str:  # on a referenced table: every row of the table that points at it
        return body(f"{side}.{q(key)} = NEW.{q(key)} AND {differ}")
    objects: list[str] = []
    triggers = []
    for table, body, events, cols in ((rt.table, own, ("INSERT", "UPDATE"), (child_col, owner_col)),
                                      (via, referenced("v", v_key), ("UPDATE",), (via_scope,)),
                                      (owner_table, referenced("o", o_key), ("UPDATE",), (owner_scope,))):
        trigger = names.trg_name(table.name, rt.rule.name)
        if any(t.name == trigger for t in table.triggers):
            return None
        triggers.append((table, trigger, body, events, cols))
    for table, trigger, body, events, cols in triggers:
        fn = names.shorten(f"fn_{table.name}_{rt.rule.name}")
        made = add_function(replace(rt, table=table), "same_parent", fn, body)
        table.triggers.append(Trigger(name=trigger, function=fn, timing="AFTER", events=events, columns=cols,
                                      constraint=True, deferrable=True, initially_deferred=True,
                                      origin=rt.origin("same_parent")))
        objects += [f"TRIGGER {table.name}.{trigger}", made]
    facts = rt.ctx.schema.facts
    rt.ctx.schema.facts = replace(facts, same_scope=facts.same_scope + (SameScope(
        rt.table.name, child_col, via.name, via_scope, owner_col, owner_table.name, owner_scope,
        tuple(t[1] for t in triggers)),))
    return Compiled("same_parent", objects, f"{via.name}.{via_scope} of {child_col} = {owner_table.name}."
                    f"{owner_scope} of {owner_col}, checked at commit (deferred constraint triggers on "
                    f"{rt.table.name}, {via.name}, {owner_table.name})")
