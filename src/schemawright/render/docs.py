"""Human documentation: the project README and docs/inferences.md (every decision and why)."""

from __future__ import annotations

from collections import Counter

from schemawright.model.schema import Schema
from schemawright.render import Artifact, RenderContext, Renderer


def md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


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

    def render(self, ctx: RenderContext) -> list[Artifact]:
        return [
            Artifact("docs/inferences.md", self._inferences(ctx), "doc",
                     "Every decision the designer made that the input did not state, with its reason"),
            Artifact("README.md", self._readme(ctx), "doc", "What is here and how to apply and verify it"),
        ]

    def _inferences(self, ctx: RenderContext) -> str:
        infs = ctx.schema.inferences
        by_rule = Counter(i.rule for i in infs)
        lines = [f"# Design inferences: {ctx.spec.project.name}", "",
                 "Everything below was decided by schemawright because the input did not say. Each line names",
                 "the rule, what it decided and why. To change a decision, state it in the input and regenerate.",
                 "", f"{len(infs)} inferences by {len(by_rule)} rules.", "",
                 "| # | rule | subject | decision | reason |", "|---|---|---|---|---|"]
        for n, i in enumerate(infs, 1):
            lines.append(f"| {n} | `{i.rule}` | `{md_escape(i.subject)}` | {md_escape(i.decision)} | "
                         f"{md_escape(i.reason)} |")
        lines += ["", "## By rule", "", "| rule | count |", "|---|---|"]
        lines += [f"| `{rule}` | {count} |" for rule, count in sorted(by_rule.items())]
        return "\n".join(lines) + "\n"

    def _readme(self, ctx: RenderContext) -> str:
        s, spec = ctx.schema, ctx.spec
        counts = schema_counts(s)
        lines = [f"# {spec.project.name}: database", ""]
        if spec.task.description:
            lines += [spec.task.description, ""]
        lines += ["Designed by schemawright for PostgreSQL 15+.", "", "## Contents", "",
                  "| path | what |", "|---|---|"]
        for a in sorted(ctx.artifacts, key=lambda a: a.path):
            if not a.path.startswith("scripts/"):
                lines.append(f"| `{a.path}` | {md_escape(a.description)} |")
        lines += ["| `scripts/ddl/` | One file per table (with its comments and triggers), index, view and "
                  "function |", "| `agent_output.json` | Machine-readable report (seed 003 DatabaseAgentOutput) |",
                  "", "## Summary", "", "| object | count |", "|---|---|"]
        lines += [f"| {k.replace('_', ' ')} | {v} |" for k, v in counts.items()]
        lines += ["", "## Tables", "", "| table | kind | est. rows | columns | description |", "|---|---|---|---|---|"]
        for t in s.tables:
            lines.append(f"| `{t.name}` | {t.kind} | {t.estimated_rows or 0:,} | {len(t.columns)} | "
                         f"{md_escape(t.comment or '')} |")
        enforced = [i for i in s.inferences if i.rule.startswith("rule.") and i.decision.startswith("enforced by")]
        if enforced:
            lines += ["", "## Business rules enforced by the database", "",
                      "Compiled from the input's free-text rules (catalog: docs/inferences.md, `rule.*`):", ""]
            lines += [f"- **{i.subject}**: {md_escape(i.decision)}" for i in enforced]
        missed = {i.subject for i in s.inferences if i.rule == "rule.not_understood"}
        rules = [r for r in spec.data_model.business_rules if r.check is None and r.name in missed]
        if rules:
            lines += ["", "## Business rules NOT enforced (not understood)", "",
                      "No pattern of the rule catalog understood these rules, so the database does not enforce "
                      "them; give each a `check` or rephrase it (docs/inferences.md):", ""]
            lines += [f"- **{r.name}**: {r.description}" for r in rules]
        unknown = [i.subject for i in s.inferences if i.rule == "warning.type_unknown"]
        if unknown:
            lines += ["", "## Columns of unknown type", "",
                      "No lexicon entry or usage told their type; they are `text` until the input sets one:", ""]
            lines += [f"- `{c}`" for c in unknown]
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
