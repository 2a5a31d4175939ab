"""agent_output.json in the shape of seed 003's ``DatabaseAgentOutput``.

Sections that later stages own are present and empty until those stages fill them; nothing is invented.
integration_support comes from render/orm_sqlalchemy.py (the SQLAlchemy models are written for every design).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from schemawright.analysis import confidence
from schemawright.model.facts import DesignFacts
from schemawright.model.serialize import to_dict
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.docs import schema_counts
from schemawright.render.operations import operations_guide
from schemawright.render.orm_sqlalchemy import integration_support
from schemawright.render.security_docs import security_implementation

SCRIPT_TYPES = {"schema": "schema", "migration": "migration", "script": "schema"}


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


def requirements_section(schema) -> dict:
    """Every free-text requirement accounted for: matched to a domain pattern (with what it added) or not
    understood (a warning: nothing was modelled for it). Read from the design's inferences."""
    matched, missed = [], []
    for i in schema.inferences:
        if i.rule == "requirement.not_understood":
            missed.append({"requirement": i.subject, "reason": i.reason})
        elif i.rule.startswith("pattern.") and i.decision.startswith(("added ", "nothing added")):
            added = i.decision.removeprefix("added ").split("; ") if i.decision.startswith("added ") else []
            matched.append({"requirement": i.subject, "pattern": i.rule.removeprefix("pattern."), "added": added,
                            "result": i.decision, "why": i.reason})
    return {"matched": matched, "not_understood": missed}


class AgentOutput(Renderer):
    name = "agent_output"
    dialects = ("postgresql", "mysql", "sqlite", "mongodb")

    def render(self, ctx: RenderContext) -> list[Artifact]:
        counts = schema_counts(ctx.schema)
        storage = storage_detail(ctx.schema)
        inputs = confidence.design_inputs(ctx.schema)
        foreign = ctx.dialect != "postgresql"
        if foreign:
            inputs["degradations"] = len(ctx.degradations)  # anything lost makes the status partial
        scripts = [a for a in ctx.artifacts if a.kind in ("schema", "script")]
        migrations = [a for a in ctx.artifacts if a.kind == "migration"]
        docs = [a for a in ctx.artifacts if a.kind == "doc"]
        report = {
            "execution_summary": confidence.apply({
                "status": None,
                "confidence_score": None,
                "time_taken": f"{sum(ctx.timings.values()):.3f}s",
                "migrations_created": sum(1 for a in migrations if a.path.split("/")[-1].startswith("V")),
                "tables_designed": counts["tables"],
                "indexes_optimized": counts["indexes"],
            }, inputs),
            "schema_implementation": {
                "database_scripts": [file_entry(a, SCRIPT_TYPES[a.kind]) for a in scripts],
                "migration_files": [file_entry(a, "migration") | {
                    "direction": "down" if a.path.split("/")[-1].startswith("U") else "up"} for a in migrations],
                "seed_data": [file_entry(a, "seed") for a in ctx.artifacts if a.kind == "seed"],
                "schema_documentation": [{"filename": a.path, "description": a.description} for a in docs],
            },
            "performance_analysis": {
                "estimated_storage": _storage(storage),
                "storage_estimate": storage,
                "query_performance_projections": [],
                "index_strategy": [self._index_entry(t, ix) for t in ctx.schema.tables for ix in t.indexes],
                "partitioning_recommendations": _partitioning(ctx),
            },
            "security_implementation": _skipped(ctx, "security_docs") if foreign
            else security_implementation(ctx.schema),
            "operations_guide": _skipped(ctx, "operations") if foreign else operations_guide(),
            "integration_support": _foreign_integration(ctx) if foreign else integration_support(ctx),
            "business_rules": business_rules(ctx),
            "requirements": requirements_section(ctx.schema),
            "design": {
                "counts": counts,
                "settings": design_settings(ctx.schema.facts),
                "inferences": [i.to_dict() for i in ctx.schema.inferences],
            },
        }
        if foreign:
            from schemawright.render.dialect_report import report_data

            report["dialect"] = report_data(ctx)
        text = dumps(report) + "\n"
        return [Artifact("agent_output.json", text, "report", "Machine-readable report (DatabaseAgentOutput)")]

    @staticmethod
    def _index_entry(table, ix) -> dict:
        return {"table": table.name, "index": ix.name, "columns": list(ix.columns), "method": str(ix.method),
                "unique": ix.unique, "reason": ix.origin.reason or ix.comment or "given in the input"}


def _foreign_integration(ctx: RenderContext) -> dict:
    """Another target: the ORM outputs written for it (Mongoose for MongoDB), and why SQLAlchemy is not."""
    from schemawright.render.orm_sqlalchemy import orm_configurations

    return {"orm_configurations": [c for c in orm_configurations(ctx, "", []) if c["framework"] != "sqlalchemy"],
            **_skipped(ctx, "orm_sqlalchemy")}


def dumps(value, depth: int = 3, indent: str = "") -> str:
    """JSON indented by two spaces down to ``depth`` levels, each deeper value on one line: readable, and
    written by the json module's C encoder (``indent=`` would select its pure-Python one, several times
    slower on a report of 1,000 tables)."""
    if depth and isinstance(value, dict) and value:
        inner = indent + "  "
        return "{\n" + ",\n".join(f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {dumps(v, depth - 1, inner)}"
                                   for k, v in value.items()) + f"\n{indent}}}"
    if depth and isinstance(value, list) and value:
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + dumps(v, depth - 1, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False)


def file_entry(artifact: Artifact, kind: str) -> dict:
    """A file of the project as seed 003's DatabaseScript: with its text, unless the same text is in a file
    the report already carries (the per-object DDL and the physical model repeat V001's statements) or it
    is data better read from the file (the model JSON); then its size, SHA-256 and where the text is, so
    the report is not the project written out twice (30 MB for 1,000 entities)."""
    entry = {"filename": artifact.path, "type": kind}
    if artifact.text_elsewhere:
        data = artifact.content.encode("utf-8")
        entry |= {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                  "content_omitted": artifact.text_elsewhere}
    else:
        entry["content"] = artifact.content
    return entry | {"description": artifact.description}


def _skipped(ctx: RenderContext, renderer: str) -> dict:
    why = next((w for name, w in ctx.skipped if name == renderer), "not generated for this target")
    return {"generated": False, "target": ctx.dialect, "why": why}


AUDIT_RULE = "security.audit"


def storage_detail(schema) -> dict:
    """The storage estimate and its formula (bench/storage.py): the initial size of every table at its
    estimated_rows, except the audit trail, which starts empty and is reported as yearly growth (only
    present when audit is on); bench checks the formula against measured sizes."""
    from schemawright.analysis.storage import human, storage_estimate, table_estimate

    audit = [t for t in schema.tables if t.origin.rule == AUDIT_RULE and t.kind == "log"]
    initial = storage_estimate(schema, {t.name: 0 for t in audit} | {t.name: t.estimated_rows or 0
                                                                     for t in schema.tables if t not in audit})
    for t in audit:
        initial["tables"].pop(t.name, None)
    growth = {t.name: table_estimate(t, t.estimated_rows or 0) for t in audit}
    return {
        "formula": "per table: heap pages of (aligned tuple header + typical column widths + line pointer) "
                   "at estimated_rows, plus each B-tree at 90% leaf fill (GIN/GiST x1.5); the audit trail "
                   "starts empty and grows by one row per audited write",
        "initial_bytes": initial["total_bytes"], "initial": initial["total"],
        "index_share": initial["index_overhead"],
        "tables": {n: t["total_bytes"] for n, t in initial["tables"].items()},
        "growth_per_year": {n: {"rows": g["rows"], "bytes": g["total_bytes"], "size": human(g["total_bytes"])}
                            for n, g in growth.items()},
    }


def _storage(detail: dict) -> str:
    """Seed 003's estimated_storage: initial size, then the audit trail's yearly growth when audit is on."""
    text = f"{detail['initial']} initial (indexes {detail['index_share']:.0%} of it)"
    for name, g in detail["growth_per_year"].items():
        text += f"; {name} grows about {g['size']} per year ({g['rows']:,} rows)"
    return text


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
