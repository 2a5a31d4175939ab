""""Postings can never be updated or deleted" / "append-only" / "immutable" -> a trigger that refuses
UPDATE and DELETE of a row (SQLSTATE 55000, object_not_in_prerequisite_state).

A trigger binds every role, the owner included, which a REVOKE alone would not; the application roles
keep INSERT and SELECT. Retention (dropping old partitions) is not a row DELETE and stays possible.
"""

from __future__ import annotations

import re

from schemawright.design.rules.base import Compiled, RuleText, add_trigger
from schemawright.model import names
from schemawright.design.context import table_name_for
from schemawright.model.schema import FkAction

PATTERN = re.compile(r"\b(?:append[- ]only|immutable|(?:can )?never (?:be )?(?:updated|modified|changed|edited)"
                     r"(?: or deleted)?|(?:are|is) never (?:updated|changed|modified)(?: or deleted)?|"
                     r"cannot be (?:updated|changed|modified)(?: or deleted)?|insert[- ]only|write[- ]once)\b")


def make_immutable(rt: RuleText, pattern: str = "immutable") -> Compiled:
    fn = names.shorten(f"fn_{rt.table.name}_immutable")
    trigger = names.trg_name(rt.table.name, "immutable")
    if not any(t.name == trigger for t in rt.table.triggers):
        body = f"""
BEGIN
    -- The table's owner (migrations, retention and erasure jobs) keeps the right to correct; every
    -- other role, the application's included, can only insert.
    IF pg_has_role(current_user, (SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = TG_RELID), 'USAGE') THEN
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
        MESSAGE = format('%s rows are append-only: %s refused (business rule %s)', TG_TABLE_NAME, TG_OP,
                         {names.quote_literal(rt.rule.name)});
END;
"""
        add_trigger(rt, pattern, trigger, fn, body, "BEFORE", ("UPDATE", "DELETE"))
    _restrict_actions(rt)
    return Compiled(pattern, [f"TRIGGER {trigger}", f"FUNCTION {fn}"], "UPDATE and DELETE refused")


def _restrict_actions(rt: RuleText) -> None:
    """A parent's deletion may not cascade into (or null out) append-only rows: RESTRICT, unless the
    input states the action."""
    stated = [r for r in rt.ctx.spec.data_model.relationships
              if r.on_delete is not None and table_name_for(r.from_) == rt.table.name]
    columns = {r.foreign_key for r in stated if r.foreign_key}
    targets = {table_name_for(r.to) for r in stated if not r.foreign_key}  # the action of the link to that table
    for fk in rt.table.foreign_keys:
        if fk.on_delete in (FkAction.CASCADE, FkAction.SET_NULL, FkAction.SET_DEFAULT) and not (
                set(fk.columns) & columns or (fk.ref_table in targets and len(fk.columns) == 1)):
            rt.ctx.infer("rule.immutable", f"{rt.table.name}.{fk.name}", "ON DELETE RESTRICT",
                         f"was {fk.on_delete}: deleting a parent would change append-only rows")
            fk.on_delete = FkAction.RESTRICT


def compile(rt: RuleText) -> Compiled | None:
    if not PATTERN.search(rt.text) or re.search(r"\bafter\b|\bonce (?:issued|posted|closed|paid)", rt.text):
        return None
    return make_immutable(rt)
