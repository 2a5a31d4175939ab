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

from schemawright.design.context import DesignContext, singular, table_name_for
from schemawright.design.rules import (
    at_most_one, comparison, immutable, overlap, retention, same_parent, transitions, unique,
)
from schemawright.design.rules.base import Compiled, RuleText, normalise
from schemawright.spec.load import format_path

PATTERNS = (transitions, overlap, at_most_one, same_parent, immutable, unique, comparison)


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
    if len(named) == 1:
        ctx.infer("rule.entity", rule.name, f"applies to {named[0].name}",
                  "no entity given; the rule's text names this table and no other")
        return named[0]
    return None


def compile_rules(ctx: DesignContext, after_partitioning: bool = False) -> None:
    """Before partitioning: every pattern but retention; after it (``after_partitioning``): retention,
    whose method (drop partitions or delete rows) depends on the partitioning."""
    for i, rule in enumerate(ctx.spec.data_model.business_rules):
        if rule.check is not None:
            continue  # compiled as a CHECK by the designer
        if (retention.period(normalise(rule.description or "")) is not None) != after_partitioning:
            continue
        path = format_path(("data_model", "business_rules", i))
        text = normalise(rule.description or rule.name.replace("_", " "))
        table = _entity_for(ctx, rule, text)
        compiled: Compiled | None = None
        if table is not None:
            rt = RuleText(ctx=ctx, rule=rule, table=table, path=path, text=text)
            for pattern in (retention,) if after_partitioning else PATTERNS:
                compiled = pattern.compile(rt)
                if compiled is not None:
                    break
        if compiled is None:
            why = "no entity given, so no table to enforce it on" if table is None and not rule.entity else \
                "no pattern of the rule catalog understood the text"
            ctx.infer("rule.not_understood", rule.name, "NOT enforced in the database",
                      f"{why}: {rule.description!r}; rephrase it as a catalog pattern or give a 'check' "
                      "(docs/business-rules.md)")
            continue
        ctx.infer(f"rule.{compiled.pattern}", rule.name, "enforced by " + ", ".join(compiled.objects),
                  f"{rule.description!r} -> {compiled.summary}")


def after_security(ctx: DesignContext) -> None:
    """Judgement on what the security step added: an append-only table (its rows refused UPDATE and
    DELETE by a compiled rule) gets no row-audit trigger; its own rows are the trail of every insert,
    and an audit row per insert would double the writes of what are often the busiest tables."""
    facts = (ctx.schema.settings.get("security") or {}).get("audit") or {}
    for table in ctx.schema.tables:
        if not any(t.name.endswith("_immutable") and t.function.endswith("_immutable") for t in table.triggers):
            continue
        audit = [t for t in table.triggers if t.function == facts.get("function")]
        if not audit:
            continue
        table.triggers = [t for t in table.triggers if t not in audit]
        if table.name in (facts.get("tables") or []):
            facts["tables"] = [n for n in facts["tables"] if n != table.name]
        ctx.infer("judgement.audit", table.name, "no row-audit trigger",
                  "append-only (a business rule refuses UPDATE and DELETE): each row is its own insert record")
