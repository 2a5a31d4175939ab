"""The business-rule compiler: free-text rules become database enforcement.

Each pattern of the catalog is one module with ``compile(RuleText) -> Compiled | None``; ``PATTERNS``
is the registry, tried in order (the first that understands a rule enforces it). A rule with a
``check`` is compiled by the designer as a CHECK constraint. Every rule ends up accounted for: an
``rule.enforced`` inference naming the objects that enforce it (traced in docs/inferences.md and in
the objects' provenance), or ``rule.not_understood``, which design prints as a warning and which
makes the run a partial success. See docs/business-rules.md for the catalog.
"""

from __future__ import annotations

import re

from schemawright.design.context import DesignContext, table_name_for
from schemawright.design.rules import (
    access, at_most_one, balanced, child_count, child_sum, comparison, conditional, either_or, event_order, immutable,
    overlap, parent_compare, retention, role_change, same_parent, transitions, unique,
)
from schemawright.design.rules import everyday
from schemawright.design.rules import base
from schemawright.design.rules.base import Compiled, RuleText, normalise
from schemawright.model.names import singular
from schemawright.spec.load import format_path

PATTERNS = (transitions, overlap, balanced, child_sum, either_or, at_most_one, child_count, same_parent, immutable, unique,
            conditional, comparison, event_order, parent_compare, everyday)  # everyday: the others' phrasings in people's words
# Patterns whose objects exist only after a later design step: retention after partitioning (drop
# partitions or delete rows), access after the security design (its roles and grants).
LATE = {"partitioning": (retention,), "security": (access, role_change)}


def _phase(text: str) -> str:
    for phase, patterns in LATE.items():
        if any(p.claims(text) for p in patterns):
            return phase
    return "tables"


def _entity_for(ctx: DesignContext, rule, text: str):
    """The rule's entity, or the one table its text names ("a doctor has no two overlapping appointments")."""
    if rule.entity:
        return ctx.table(table_name_for(rule.entity)) or ctx.table(rule.entity)
    named, plural = [], []
    for t in ctx.schema.tables:
        if t.origin.path is None:
            continue  # tables the designer added (lookups, audit) are not what a rule is about
        for form in (t.name, singular(t.name)):
            if re.search(rf"(?<!\w)(?:{re.escape(form.replace('_', ' '))}|{re.escape(form)})(?!\w)", text):
                named.append(t)
                if form == t.name != singular(t.name):
                    plural.append(t)  # "overlapping appointments": the rows the rule is about
                break
    if len(named) > 1 and len(plural) == 1:
        named = plural
    if len(named) > 1:  # "a cabin is booked once per sailing": the one table that references every other named
        linking = [t for t in named if all(o is t or any(fk.ref_table == o.name for fk in t.foreign_keys)
                                           for o in named)]
        named = linking if len(linking) == 1 else named
    if not named:  # "a unit expires ...": the last word of one table's name (blood_units), of no other
        tails = {}
        for t in ctx.schema.tables:
            if t.origin.path is not None and "_" in t.name:
                tails.setdefault(singular(t.name).rsplit("_", 1)[1], []).append(t)
        named = [ts[0] for tail, ts in tails.items() if len(ts) == 1 and not any(
            tail == singular(t.name) for t in ctx.schema.tables) and re.search(rf"(?<!\w){re.escape(tail)}s?(?!\w)", text)]
    if len(named) == 1:
        ctx.infer("rule.entity", rule.name, f"applies to {named[0].name}",
                  "no entity given; the rule's text names this table and no other")
        return named[0]
    return None


def compile_rules(ctx: DesignContext, phase: str = "tables") -> None:
    """``tables`` (before partitioning): every pattern of ``PATTERNS``; ``partitioning`` (after it):
    retention, whose method (drop partitions or delete rows) depends on the partitioning; ``security``
    (after the security design, or in its place when it is off): access rules."""
    for i, rule in enumerate(ctx.spec.data_model.business_rules):
        if rule.check is not None:
            continue  # compiled as a CHECK by the designer
        if _is_structured(rule):
            if phase == "tables":
                _structured(ctx, rule, i)
            continue
        if _phase(normalise(rule.description or "")) != phase:
            continue
        path = format_path(("data_model", "business_rules", i))
        text = normalise(rule.description or rule.name.replace("_", " "))
        table = _entity_for(ctx, rule, text)
        compiled: Compiled | None = None
        if table is not None:
            rt = RuleText(ctx=ctx, rule=rule, table=table, path=path, text=text)
            for pattern in LATE.get(phase, PATTERNS):
                compiled = pattern.compile(rt)
                if compiled is not None:
                    break
        if compiled is None:
            why = "no entity given, so no table to enforce it on" if table is None and not rule.entity else \
                "an access rule, but the security design is off (conventions.security: false): no roles to " \
                "grant" if phase == "security" and ctx.schema.owner is None else \
                "no pattern of the rule catalog understood the text"
            ctx.infer("rule.not_understood", rule.name, "NOT enforced in the database",
                      f"{why}: {rule.description!r}; rephrase it as a catalog pattern or give a 'check' "
                      "(docs/business-rules.md)")
            continue
        ctx.infer(f"rule.{compiled.pattern}", rule.name, "enforced by " + ", ".join(compiled.objects),
                  f"{rule.description!r} -> {compiled.summary}")
    if phase == "tables":
        _contradictions(ctx)


def _contradictions(ctx: DesignContext) -> None:
    """Rules that cannot both hold as written are said, not silently resolved: an append-only table (UPDATE
    refused by an immutability rule) whose status also has transitions (each one an UPDATE) can never move
    its status past the value a row is inserted with."""
    for table in ctx.schema.tables:
        frozen = [t for t in table.triggers if t.name.endswith("_immutable") and "UPDATE" in t.events]
        flows = [t for t in table.triggers if t.name.endswith("_transition")]
        if frozen and flows:
            ctx.infer("warning.contradiction", table.name, "rules contradict each other",
                      f"{table.name} is append-only ({frozen[0].name} refuses UPDATE) but its status has transitions "
                      f"({flows[0].name}), which are UPDATEs: no row can change status; say which rule wins "
                      "(e.g. 'never deleted, only status may change', or record status changes as new rows)")


def after_security(ctx: DesignContext) -> None:
    """Judgement on what the security step added: an append-only table (its rows refused UPDATE and
    DELETE by a compiled rule) gets no row-audit trigger; its own rows are the trail of every insert,
    and an audit row per insert would double the writes of what are often the busiest tables."""
    security = ctx.schema.facts.security
    facts = (security.audit if security is not None else None) or {}
    for table in ctx.schema.tables:
        if not any(t.name.endswith("_immutable") and t.function.endswith("_immutable") for t in table.triggers):
            continue
        audit = [t for t in table.triggers if t.function == facts.get("function")]
        if not audit:
            continue
        table.triggers = [t for t in table.triggers if t not in audit]
        if table.name in (facts.get("tables") or []):
            facts["tables"] = [n for n in facts["tables"] if n != table.name]  # the audit dict of the frozen facts
        ctx.infer("judgement.audit", table.name, "no row-audit trigger",
                  "append-only (a business rule refuses UPDATE and DELETE): each row is its own insert record")


def _is_structured(rule) -> bool:
    return any(getattr(rule, f) is not None for f in ("unique_within", "immutable", "transitions", "exclude"))


def _structured(ctx: DesignContext, rule, i: int) -> None:
    """The structured forms: exact, so every problem is an input error located at its field."""
    path = ("data_model", "business_rules", i)
    if rule.entity is None:
        ctx.problem(path + ("entity",), f"business rule {rule.name} needs the entity it applies to")
        return
    table = ctx.table(table_name_for(rule.entity)) or ctx.table(rule.entity)
    if table is None:
        ctx.problem(path + ("entity",), f"unknown entity {rule.entity!r}")
        return
    rt = RuleText(ctx=ctx, rule=rule, table=table, path=format_path(path), text=normalise(rule.description))

    def known(field: str, cols) -> bool:
        bad = [c for c in cols if not table.has_column(c)]
        if bad:
            ctx.problem(path + (field,), f"unknown column(s) {', '.join(bad)} in {table.name}",
                        expected=", ".join(c.name for c in table.columns))
        return not bad

    done: list[Compiled | None] = []
    problems_before = len(ctx.problems)
    if rule.unique_within is not None or rule.columns is not None:
        if not rule.columns:
            ctx.problem(path + ("columns",), "unique_within needs the columns that are unique",
                        expected="a list of columns")
        elif known("unique_within", rule.unique_within or []) and known("columns", rule.columns):
            done.append(unique.add_unique(rt, tuple((rule.unique_within or []) + rule.columns)))
    if rule.immutable:
        done.append(immutable.make_immutable(rt))
    if rule.transitions is not None:
        col = rule.column or "status"
        if known("column", [col]):
            allowed = set(rt.values_of(col))
            pairs = [(a, b) for a, tos in rule.transitions.items() for b in tos]
            bad = [v for pair in pairs for v in pair if allowed and v not in allowed]
            if not pairs:
                ctx.problem(path + ("transitions",), "no transitions given", expected="{from: [to, ...]}")
            elif bad or not allowed:
                ctx.problem(path + ("transitions",), f"{bad[0]!r} is not a value of {table.name}.{col}" if bad
                            else f"{table.name}.{col} has no list of values", expected=", ".join(sorted(allowed))
                            or "a column with 'values'")
            else:
                done.append(transitions.build(rt, col, pairs))
    if rule.exclude is not None:
        ex = rule.exclude
        cols = [*ex.per, *ex.period, *(ex.unless or {})]
        if known("exclude", cols):
            kinds = {table.column(c).type.kind for c in ex.period}
            if len(kinds) != 1 or not kinds <= {*base.TEMPORAL}:
                ctx.problem(path + ("exclude", "period"), "the period needs two date or timestamp columns of "
                            "one type", got=", ".join(str(table.column(c).type) for c in ex.period))
            else:
                skip = next(iter((ex.unless or {}).items()), None)
                done.append(overlap.build(rt, tuple(ex.per), ex.period[0], ex.period[1], skip))
    compiled = [c for c in done if c is not None]
    if not compiled and len(ctx.problems) == problems_before:
        ctx.infer("rule.not_understood", rule.name, "NOT enforced in the database",
                  "the structured rule could not be compiled (a value the generated SQL cannot hold)")
    if compiled:
        ctx.infer(f"rule.{compiled[0].pattern}", rule.name,
                  "enforced by " + ", ".join(o for c in compiled for o in c.objects),
                  "structured rule -> " + "; ".join(c.summary for c in compiled))
