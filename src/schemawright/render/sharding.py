"""design --dialect citus: ``citus/distribute.sql`` (create_reference_table / create_distributed_table with
colocation) and ``docs/sharding.md`` (per table the decision, the criteria, the runners-up with their
simulated shard skew, every key rewritten and every restriction reported). The plan and the key rewrite are
``dialects/citus.py``'s; this renderer only writes them down."""

from __future__ import annotations

from schemawright.dialects.distribution import SHARD_COUNT, check, distribute_sql, shard_skew_sql, skew
from schemawright.escape import md_cell as m
from schemawright.escape import md_text
from schemawright.render import Artifact, RenderContext, Renderer


class Sharding(Renderer):
    name = "sharding"

    def applies(self, ctx: RenderContext) -> bool:
        return bool(ctx.distribution)

    def render(self, ctx: RenderContext) -> list[Artifact]:
        if not ctx.distribution:
            return []
        schema, plan = ctx.schema, ctx.distribution
        sim = skew(schema, plan)
        remaining = check(schema, plan)
        doc = [f"# Sharding on Citus: {md_text(schema.facts.project.name)}", "",
               "The PostgreSQL design, distributed with Citus (`citus/distribute.sql`, run on the coordinator after "
               "the migrations). Criteria, in order: the design's tenant isolation (the tenants' table and each "
               "scoped table's tenant column); else the owner entity most rows reference with a required key; "
               "colocation for the tables joined on that key; reference tables for small shared lookups; any other "
               "large table on its own key (its joins cross shards).", "",
               "## What was proven here and what was not", "",
               "- Proven: the distributed design is valid PostgreSQL (the same preflight as every design applies it), "
               "and `tests/test_citus.py` checks the plan and the static checks of Citus's documented restrictions "
               "(distribution column in every primary key / unique constraint, foreign keys between distributed "
               "tables colocated and on the distribution column, no reference table referencing a distributed one, "
               "no SET NULL on the distribution column, NOT NULL and hashable distribution column).",
               "- Not proven: no Citus ran here. `create_distributed_table` itself, query routing and the real shard "
               "placement were not exercised; the skew below is a simulation (a stable hash into "
               f"{SHARD_COUNT} equal ranges standing in for Citus's hash, values of a reference drawn with a Zipf-like "
               "skew from the referenced table's rows); `citus/shard_skew.sql` measures the same on the real data with "
               "PostgreSQL's own hash functions (the ones Citus places rows with) before the move. `verify --dsn` against a Citus coordinator compares the "
               "catalog as on PostgreSQL.", "",
               "## Decisions", "",
               "| table | method | column | colocated with | why |", "|---|---|---|---|---|"]
        for d in plan:
            doc.append(f"| {m(d.table)} | {d.method} | {m(d.column or '')} | {m(d.colocate_with or '')} | {m(d.why)} |")
        doc += ["", f"## Shard skew (simulated, {SHARD_COUNT} shards; max/mean rows per shard, 1.0 is even)", "",
                "| table | column | chosen | distinct values | max/mean | empty shards | runner-up because |",
                "|---|---|---|---|---|---|---|"]
        whys = {(d.table, c): w for d in plan for c, w in d.candidates}
        for table, results in sim.items():
            for r in results:
                doc.append(f"| {m(table)} | {m(r['column'])} | {'yes' if r['chosen'] else ''} | {r['values']:,} | "
                           f"{r['max_over_mean']} | {r['empty_shards']} | {m(whys.get((table, r['column']), ''))} |")
        doc += ["", "## Keys rewritten and restrictions reported", ""]
        if ctx.degradations:
            doc += ["| kind | name | why | became |", "|---|---|---|---|"]
            doc += [f"| {x.kind} | {m(x.name)} | {m(x.why)} | {m(x.replacement or 'not kept: left to the application')} |"
                    for x in ctx.degradations]
        else:
            doc.append("None.")
        left = [x for x in remaining if x.kind not in ("trigger",)]
        if left:
            doc += ["", "## Still refused by Citus after the rewrite", ""]
            doc += [f"- {x.kind} {x.name}: {x.why}" for x in left]
        return [Artifact("citus/distribute.sql", distribute_sql(schema, plan), "script",
                         "Citus: reference and distributed tables with colocation"),
                Artifact("citus/shard_skew.sql", shard_skew_sql(schema, plan), "script",
                         "Rows per shard on the real data, placed with Citus's hash (run on PostgreSQL)"),
                Artifact("docs/sharding.md", "\n".join(doc) + "\n", "doc",
                         "Distribution column per table, criteria, simulated shard skew, key rewrites")]
