"""agent_output.json in the shape of seed 003's ``DatabaseAgentOutput``.

Sections that later stages own are present and empty until those stages fill them; nothing is invented.
integration_support comes from render/orm_sqlalchemy.py (the SQLAlchemy models are written for every design).
"""

from __future__ import annotations

import dataclasses
import json

from schemawright.model.facts import DesignFacts
from schemawright.model.serialize import to_dict
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
    return round(1 - fallback / len(columns), 2)


class AgentOutput(Renderer):
    name = "agent_output"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        counts = schema_counts(ctx.schema)
        scripts = [a for a in ctx.artifacts if a.kind in ("schema", "script")]
        migrations = [a for a in ctx.artifacts if a.kind == "migration"]
        docs = [a for a in ctx.artifacts if a.kind == "doc"]
        report = {
            "execution_summary": {
                "status": "success",
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
            "design": {
                "counts": counts,
                "settings": design_settings(ctx.schema.facts),
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
    from schemawright.analysis.storage import storage_estimate

    est = storage_estimate(ctx.schema)
    return f"{est['total']} initial (indexes {est['index_overhead']:.0%} of it)"


def _partitioning(ctx: RenderContext) -> list[dict]:
    out = [{"table": t.name, "strategy": t.partitioning.strategy, "columns": list(t.partitioning.columns),
            "reason": t.partitioning.origin.reason or "given"} for t in ctx.schema.tables if t.partitioning]
    out += [{"table": i.subject, "strategy": "none", "columns": [], "reason": i.reason}
            for i in ctx.schema.inferences if i.rule == "partition.skipped"]
    return out


def design_settings(facts: DesignFacts) -> dict:
    """The design facts as agent_output.json's ``design.settings`` has always shown them."""
    out: dict = {"project": facts.project.name}
    if facts.scale:
        out |= {"scale": facts.scale.name, "default_rows": facts.scale.default_rows}
    if facts.latency_targets:
        out["latency_targets"] = to_dict(facts.latency_targets)
    if facts.data_classification:
        out["data_classification"] = facts.data_classification
    if facts.performance_targets:
        out["performance_targets"] = to_dict(facts.performance_targets)
    if facts.query_patterns:
        out["query_patterns"] = [to_dict(p) for p in facts.query_patterns]
    if facts.security:
        security = dataclasses.asdict(facts.security)
        out["security"] = {("settings" if k == "session_settings" else k): v for k, v in security.items()}
    return out
