"""Human documentation: the project README and docs/inferences.md (every decision and why)."""

from __future__ import annotations

from collections import Counter

from schemawright.model.schema import Schema
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.escape import md_cell, md_code, md_text

md_escape = md_cell  # the old name, kept for callers elsewhere


def schema_counts(s: Schema) -> dict[str, int]:
    """How many of each object the schema has."""
    return {
        "tables": len(s.tables),
        "columns": sum(len(t.columns) for t in s.tables),
        "foreign_keys": sum(len(t.foreign_keys) for t in s.tables),
        "indexes": sum(len(t.indexes) for t in s.tables),
        "checks": sum(len(t.checks) for t in s.tables),
        "unique_constraints": sum(len(t.uniques) for t in s.tables),
        "views": len(s.views),
        "functions": len(s.functions),
        "triggers": sum(len(t.triggers) for t in s.tables),
        "inferences": len(s.inferences),
    }


class Docs(Renderer):
    name = "docs"
    dialects = ("postgresql", "mysql", "sqlite", "mongodb")

    def render(self, ctx: RenderContext) -> list[Artifact]:
        out = [Artifact("docs/inferences.md", self._inferences(ctx), "doc",
                        "Every decision the designer made that the input did not state, with its reason")]
        if ctx.dialect == "postgresql":  # other targets: README.md comes from render/dialect_report.py
            out.append(Artifact("README.md", self._readme(ctx), "doc", "What is here and how to apply and verify it"))
        return out

    def _inferences(self, ctx: RenderContext) -> str:
        infs = ctx.schema.inferences
        by_rule = Counter(i.rule for i in infs)
        lines = [f"# Design inferences: {md_text(ctx.schema.facts.project.name)}", "",
                 "Everything below was decided by schemawright because the input did not say. Each line names",
                 "the rule, what it decided and why. To change a decision, state it in the input and regenerate.",
                 "", f"{len(infs)} inferences by {len(by_rule)} rules.", "",
                 "| # | rule | subject | decision | reason |", "|---|---|---|---|---|"]
        for n, i in enumerate(infs, 1):
            lines.append(f"| {n} | {md_code(i.rule)} | {md_code(i.subject)} | {md_cell(i.decision)} | "
                         f"{md_cell(i.reason)} |")
        lines += ["", "## By rule", "", "| rule | count |", "|---|---|"]
        lines += [f"| {md_code(rule)} | {count} |" for rule, count in sorted(by_rule.items())]
        return "\n".join(lines) + "\n"

    def _readme(self, ctx: RenderContext) -> str:
        s, project = ctx.schema, ctx.schema.facts.project
        counts = schema_counts(s)
        lines = [f"# {md_text(project.name)}: database", ""]
        if project.description:
            lines += [md_text(project.description), ""]
        lines += ["Designed by schemawright for PostgreSQL 15+.", "", "## Contents", "",
                  "| path | what |", "|---|---|"]
        for a in sorted(ctx.artifacts, key=lambda a: a.path):
            if not a.path.startswith("scripts/"):
                lines.append(f"| {md_code(a.path)} | {md_cell(a.description)} |")
        lines += ["| `scripts/ddl/` | One file per table (with its comments and triggers), index, view and "
                  "function |", "| `agent_output.json` | Machine-readable report (seed 003 DatabaseAgentOutput) |",
                  "", "## Summary", "", "| object | count |", "|---|---|"]
        lines += [f"| {k.replace('_', ' ')} | {v} |" for k, v in counts.items()]
        lines += ["", "## Tables", "", "| table | kind | est. rows | columns | description |", "|---|---|---|---|---|"]
        for t in s.tables:
            lines.append(f"| {md_code(t.name)} | {t.kind} | {t.estimated_rows or 0:,} | {len(t.columns)} | "
                         f"{md_cell(t.comment or '')} |")
        enforced = [i for i in s.inferences if i.rule.startswith("rule.") and i.decision.startswith("enforced by")]
        if enforced:
            lines += ["", "## Business rules enforced by the database", "",
                      "Compiled from the input's free-text rules (catalog: docs/business-rules.md, `rule.*` in "
                      "docs/inferences.md):", ""]
            lines += [f"- **{md_text(i.subject)}**: {md_text(i.decision)}" for i in enforced]
        missed = {i.subject for i in s.inferences if i.rule == "rule.not_understood"}
        rules = [r for r in s.facts.application_rules if r.name in missed]
        if rules:
            lines += ["", "## Business rules NOT enforced (not understood)", "",
                      "No pattern of the rule catalog understood these rules, so the database does not enforce "
                      "them and the report's status is partial_success; give each a `check` or rephrase it "
                      "(docs/business-rules.md):", ""]
            lines += [f"- **{md_text(r.name)}**: {md_text(r.description)}" for r in rules]
        unknown = [i.subject for i in s.inferences if i.rule == "warning.type_unknown"]
        if unknown:
            lines += ["", "## Columns of unknown type", "",
                      "No lexicon entry or usage told their type; they are `text` until the input sets one:", ""]
            lines += [f"- {md_code(c)}" for c in unknown]
        lines += ["", "## Apply", "", "```sh",
                  'psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction -f migrations/V001__initial_schema.sql',
                  "# undo:",
                  'psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction -f migrations/U001__initial_schema.sql',
                  "```", "", "## Verify", "",
                  "```sh", "schemawright verify .            # on the embedded PostgreSQL",
                  'schemawright verify . --dsn "$DATABASE_URL"  # on a server of yours (uses a scratch database)',
                  "```", "",
                  "Verification applies the migrations forward, back and forward again on a scratch database, "
                  "compares the catalog with the design, and proves every NOT NULL, CHECK, UNIQUE and FOREIGN "
                  "KEY rejects a violating row. Results: `verification.json`.", ""]
        return "\n".join(lines)
