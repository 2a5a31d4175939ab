""""The room belongs to the same hotel as the reservation" -> a composite foreign key.

reservations(room_id, hotel_id) REFERENCES rooms(id, hotel_id), with the supporting UNIQUE (id,
hotel_id) on rooms: a reservation cannot name a room of another hotel. Needs the scope column
(``hotel_id``) on both tables; otherwise the rule is reported as not understood.
"""

from __future__ import annotations

import re

from schemawright.design.context import singular
from schemawright.design.rules.base import Compiled, RuleText, fk_for
from schemawright.model import names
from schemawright.model.schema import FkAction, ForeignKey, UniqueConstraint


def compile(rt: RuleText) -> Compiled | None:
    m = re.fullmatch(r"(?:the |a |an |each |every )?(.+?) (?:belongs|belong|must belong|is|are) (?:to |in |of |from )?"
                     r"the same (.+?) as (?:the |its |their )?(.+)", rt.text)
    if not m:
        return None
    child_col, scope_col = rt.column_in(m.group(1)), rt.column_in(m.group(2))
    owner = m.group(3).strip()
    if owner not in (singular(rt.table.name).replace("_", " "), rt.table.name.replace("_", " "),
                     (rt.rule.entity or "").replace("_", " ")):
        return None
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
