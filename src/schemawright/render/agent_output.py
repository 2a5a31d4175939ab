"""agent_output.json in the shape of seed 003's ``DatabaseAgentOutput``.

Sections that later stages own are present and empty until those stages fill them; nothing is invented.
integration_support comes from render/orm_sqlalchemy.py (the SQLAlchemy models are written for every design).
"""

from __future__ import annotations

import json

from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.docs import schema_counts
from schemawright.render.operations import operations_guide
from schemawright.render.orm_sqlalchemy import integration_support
from schemawright.render.security_docs import security_implementation

SCRIPT_TYPES = {"schema": "schema", "migration": "migration", "script": "schema"}


def confidence(ctx: RenderContext) -> float:
    """Share of columns whose type was given or chosen by a specific naming rule (not the fallback)."""
    columns = [c for t in ctx.schema.tables for c in t.columns]
    if not columns:
        return 0.0
    fallback = sum(1 for c in columns if c.origin.rule == "type.fallback")
    score = 1 - fallback / len(columns)
    rules = [i for i in ctx.schema.inferences if i.rule.startswith("rule.") and i.rule != "rule.default_dropped"
             and (i.decision.startswith("enforced by") or i.rule == "rule.not_understood")]
    if rules:  # business rules left unenforced lower it in proportion
        score *= 1 - 0.5 * sum(1 for i in rules if i.rule == "rule.not_understood") / len(rules)
    return round(score, 2)


def business_rules(ctx: RenderContext) -> dict:
    """Every free-text business rule accounted for: enforced (by which objects) or not understood."""
    enforced, missed = [], []
    for i in ctx.schema.inferences:
        if i.rule == "rule.not_understood":
            missed.append({"rule": i.subject, "reason": i.reason})
        elif i.rule.startswith("rule.") and i.decision.startswith("enforced by"):
            enforced.append({"rule": i.subject, "pattern": i.rule.removeprefix("rule."),
                             "enforced_by": i.decision.removeprefix("enforced by "), "how": i.reason})
    return {"enforced": enforced, "not_understood": missed,
            "columns_of_unknown_type": [i.subject for i in ctx.schema.inferences if i.rule == "warning.type_unknown"]}


class AgentOutput(Renderer):
    name = "agent_output"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        counts = schema_counts(ctx.schema)
        scripts = [a for a in ctx.artifacts if a.kind in ("schema", "script")]
        migrations = [a for a in ctx.artifacts if a.kind == "migration"]
        docs = [a for a in ctx.artifacts if a.kind == "doc"]
        report = {
            "execution_summary": {
                "status": "partial_success" if business_rules(ctx)["not_understood"] else "success",
                "confidence_score": confidence(ctx),
                "time_taken": f"{sum(ctx.timings.values()):.3f}s",
                "migrations_created": sum(1 for a in migrations if a.path.split("/")[-1].startswith("V")),
                "tables_designed": counts["tables"],
                "indexes_optimized": counts["indexes"],
            },
            "schema_implementation": {
                "database_scripts": [{"filename": a.path, "type": SCRIPT_TYPES[a.kind], "content": a.content,
                                      "description": a.description} for a in scripts],
                "migration_files": [{"filename": a.path, "type": "migration", "content": a.content,
                                     "description": a.description,
                                     "direction": "down" if a.path.split("/")[-1].startswith("U") else "up"}
                                    for a in migrations],
                "seed_data": [{"filename": a.path, "type": "seed", "content": a.content,
                               "description": a.description} for a in ctx.artifacts if a.kind == "seed"],
                "schema_documentation": [{"filename": a.path, "description": a.description} for a in docs],
            },
            "performance_analysis": {
                "estimated_storage": _storage(ctx),
                "query_performance_projections": [],
                "index_strategy": [self._index_entry(t, ix) for t in ctx.schema.tables for ix in t.indexes],
                "partitioning_recommendations": _partitioning(ctx),
            },
            "security_implementation": security_implementation(ctx.schema),
            "operations_guide": operations_guide(),
            "integration_support": integration_support(ctx),
            "business_rules": business_rules(ctx),
            "design": {
                "counts": counts,
                "settings": {k: v for k, v in ctx.schema.settings.items() if not k.startswith("_")},
                "inferences": [i.to_dict() for i in ctx.schema.inferences],
            },
        }
        text = json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        return [Artifact("agent_output.json", text, "report", "Machine-readable report (DatabaseAgentOutput)")]

    @staticmethod
    def _index_entry(table, ix) -> dict:
        return {"table": table.name, "index": ix.name, "columns": list(ix.columns), "method": str(ix.method),
                "unique": ix.unique, "reason": ix.origin.reason or ix.comment or "given in the input"}


def _storage(ctx: RenderContext) -> str:
    """Seed 003's estimated_storage, from types and estimated_rows (checked by 'schemawright bench')."""
    from schemawright.bench.storage import storage_estimate

    est = storage_estimate(ctx.schema)
    return f"{est['total']} initial (indexes {est['index_overhead']:.0%} of it)"


def _partitioning(ctx: RenderContext) -> list[dict]:
    out = [{"table": t.name, "strategy": t.partitioning.strategy, "columns": list(t.partitioning.columns),
            "reason": t.partitioning.origin.reason or "given"} for t in ctx.schema.tables if t.partitioning]
    out += [{"table": i.subject, "strategy": "none", "columns": [], "reason": i.reason}
            for i in ctx.schema.inferences if i.rule == "partition.skipped"]
    return out
