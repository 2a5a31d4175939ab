"""Seed 004's design documents: docs/PRD.md (the requirements as understood and how each was met),
docs/schema_overview.md (architecture and the decisions with their reasons), models/conceptual/domain_model.md,
docs/index_strategy.md and docs/capacity_planning.md (storage now and after the growth period).

Everything is read from the model, its facts and the designer's inferences; nothing is invented. A schema
documented from SQL or a live database has no task input: the PRD says so instead of guessing requirements.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from schemawright.analysis.storage import human, table_estimate
from schemawright.datagen.pools import monthly_growth
from schemawright.escape import md_cell, md_code, md_text
from schemawright.model.names import singular
from schemawright.model.schema import Schema, Table
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.erd_image import domains, qualified

# Seed 004's reliability defaults (used where the input states none) and seed 002's restore target.
DEFAULT_RPO, DEFAULT_RTO, RESTORE_TARGET = "< 1 hour", "< 4 hours", "30 minutes"
GROWTH_PERIODS = (12, 36)  # months shown in the capacity plan


def from_task_input(schema: Schema) -> bool:
    """True when a task input was designed (facts set by the designer), False for SQL / live sources."""
    return schema.facts.scale is not None or bool(schema.inferences)


def _name(t: Table) -> str:
    return md_code(qualified(t.schema, t.name))


def _rules(schema: Schema) -> tuple[list, list]:
    enforced = [i for i in schema.inferences if i.rule.startswith("rule.") and i.decision.startswith("enforced by")]
    missed = [i for i in schema.inferences if i.rule == "rule.not_understood"]
    return enforced, missed


def prd(schema: Schema) -> str:
    f = schema.facts
    lines = [f"# Product requirements: {md_text(f.project.name)}", ""]
    if not from_task_input(schema):
        lines += ["This schema was documented from existing SQL or a live database, not designed from a task "
                  "input, so its requirements are not known here. What the schema itself holds is in "
                  "data_dictionary.md and schema_overview.md.", ""]
        return "\n".join(lines)
    lines += [md_text(f.project.description) if f.project.description else "(the task input gives no description)",
              "", f"Project type: {md_text(f.project.type)}; scale: {md_text(f.scale.name if f.scale else 'not stated')}.",
              "", "## Requirements as understood, and how each is met", "",
              "| # | requirement | as understood | how it is met | where |", "|---|---|---|---|---|"]
    rows: list[tuple[str, str, str, str]] = []
    counts = Counter(t.kind for t in schema.tables)
    fks = sum(len(t.foreign_keys) for t in schema.tables)
    rows.append(("data model", f"{len(schema.tables)} tables ({', '.join(f'{n} {k}' for k, n in sorted(counts.items()))})",
                 f"tables with keys, {fks} foreign keys, NOT NULL/CHECK/UNIQUE constraints; migrations proven by "
                 "schemawright verify", "migrations/V001__initial_schema.sql, docs/data_dictionary.md"))
    enforced, missed = _rules(schema)
    for i in enforced:
        rows.append(("business rule", i.subject, i.decision, "docs/inferences.md"))
    for i in missed:
        rows.append(("business rule", i.subject, f"NOT enforced by the database: {i.reason}", "README.md"))
    for r in f.application_rules:
        if r.name not in {i.subject for i in missed}:
            rows.append(("business rule", r.name, "left to the application (no check expression)", "README.md"))
    p = f.performance_targets
    if p:
        for label, value in (("concurrent users", p.concurrent_users), ("reads per second", p.read_operations_per_second),
                             ("writes per second", p.write_operations_per_second)):
            if value:
                rows.append(("performance", f"{label}: {value:,}",
                             "connection pooling (pgbouncer), memory and parallelism tuned to the load; measured by "
                             "schemawright bench", "config/, bench.json (schemawright bench)"))
        if p.data_volume:
            rows.append(("data volume", f"initial {p.data_volume.initial or 'not stated'}, growth "
                         f"{p.data_volume.growth_rate or 'not stated'}", "storage estimated per table; large event "
                         "tables partitioned", "docs/capacity_planning.md"))
    lat = f.latency_targets
    if lat:
        for label, value in (("simple queries", lat.simple_queries), ("complex queries", lat.complex_queries),
                             ("reports", lat.reports)):
            if value:
                rows.append(("latency", f"{label} {value}", "indexes for the declared access paths; measured by "
                             "schemawright bench against this target", "docs/index_strategy.md"))
    for q in f.query_patterns:
        rows.append(("query pattern", q.name, "indexed (see the index strategy) and run by schemawright bench"
                     + (f", target {q.target_latency}" if q.target_latency else ""), "docs/index_strategy.md"))
    sec = f.security
    if sec:
        if f.data_classification:
            rows.append(("security", f"data classification {f.data_classification}", "roles with least privilege, "
                         "default privileges", "docs/access_control.md"))
        for std in sec.compliance_standards:
            rows.append(("compliance", std, "personal data marked, masking views and erasure functions, audit "
                         "trail" if sec.pii or sec.audit else "documented controls", "docs/access_control.md"))
        if sec.encrypted:
            rows.append(("security", "column encryption", ", ".join(f"{e['table']}.{e['column']}" for e in sec.encrypted)
                         + " encrypted with pgcrypto, key supplied per session", "docs/access_control.md"))
        if sec.rls:
            rows.append(("security", "row-level access", f"row-level security on {len(sec.rls)} tables",
                         "docs/access_control.md"))
        if sec.audit:
            rows.append(("security", "audit logging", f"audit triggers write {sec.audit.get('table')}",
                         "docs/access_control.md"))
    rows.append(("reliability", f"RPO {DEFAULT_RPO}, RTO {DEFAULT_RTO} (seed 004 defaults; the input states none)",
                 f"verified backup and restore scripts, WAL archiving settings; restore target {RESTORE_TARGET}",
                 "scripts/maintenance/, docs/operations.md"))
    rows.append(("monitoring", "alerts on disk, connections, slow queries, index hit ratio, replication lag",
                 "Prometheus alert rules, postgres_exporter queries, Grafana dashboard", "monitoring/"))
    for n, (kind, req, how, where) in enumerate(rows, 1):
        lines.append(f"| {n} | {md_cell(kind)} | {md_cell(req)} | {md_cell(how)} | {md_cell(where)} |")
    lines += ["", "## Open points", ""]
    warnings = [i for i in schema.inferences if i.rule.startswith("warning.")]
    if not (warnings or missed):
        lines.append("None: every stated requirement has a mechanism above.")
    lines += [f"- {md_text(i.subject)}: {md_text(i.decision)} ({md_text(i.reason)})" for i in warnings]
    lines += [f"- business rule {md_text(i.subject)} is not enforced: {md_text(i.reason)}" for i in missed]
    return "\n".join(lines) + "\n"


def overview(schema: Schema) -> str:
    f = schema.facts
    lines = [f"# Schema overview: {md_text(f.project.name)}", "", "## Architecture", "",
             f"{len(schema.tables)} tables, {len(schema.views)} views, {len(schema.functions)} functions, in "
             f"{len({t.schema for t in schema.tables}) or 1} schema(s). Tables by role:", "",
             "| role | tables |", "|---|---|"]
    by_kind = defaultdict(list)
    for t in schema.tables:
        by_kind[t.kind].append(_name(t))
    lines += [f"| {md_cell(kind)} | {', '.join(names)} |" for kind, names in sorted(by_kind.items())]
    groups = domains(schema)
    lines += ["", "## Domains", "", "Groups of tables joined by foreign keys (the ER diagrams follow them):", "",
              "| domain | tables |", "|---|---|"]
    lines += [f"| {md_cell(name)} | {', '.join(md_code(k) for k in keys)} |" for name, keys in groups]
    lines += ["", "## Decisions and their reasons", "",
              "Each rule the designer applied, how often, and why (per object: docs/inferences.md).", "",
              "| rule | objects | reason |", "|---|---|---|"]
    reasons: dict[str, tuple[int, str]] = {}

    def note(rule: str | None, reason: str | None) -> None:
        if rule and reason:
            n, first = reasons.get(rule, (0, reason))
            reasons[rule] = (n + 1, first)

    for t in schema.tables:
        note(t.origin.rule, t.origin.reason)
        for c in t.columns:
            note(c.origin.rule, c.origin.reason)
        for fk in t.foreign_keys:
            note(fk.origin.rule, fk.origin.reason)
        for ix in t.indexes:
            note(ix.origin.rule, ix.origin.reason)
    for i in schema.inferences:
        note(i.rule, i.reason)
    if not reasons:
        lines.append("| - | - | no design decisions recorded: the schema comes from SQL or a live database |")
    lines += [f"| {md_code(rule)} | {n} | {md_cell(reason)} |" for rule, (n, reason) in sorted(reasons.items())]
    return "\n".join(lines) + "\n"


def domain_model(schema: Schema) -> str:
    f = schema.facts
    tables = {qualified(t.schema, t.name): t for t in schema.tables}
    lines = [f"# Conceptual domain model: {md_text(f.project.name)}", "",
             "The entities and how they relate, in words; attributes are in docs/data_dictionary.md.", ""]
    for name, keys in domains(schema):
        lines += [f"## Domain: {md_text(name)}", ""]
        for k in keys:
            t = tables[k]
            lines.append(f"- **{md_text(k)}** ({md_text(t.kind)}): {md_text(t.comment or 'not described in the source')}")
            audit = sorted({qualified(fk.ref_schema or t.schema, fk.ref_table) for fk in t.foreign_keys
                            if (fk.origin.rule or "").startswith("audit.")})
            for fk in t.foreign_keys:
                if (fk.origin.rule or "").startswith("audit."):
                    continue
                ref = qualified(fk.ref_schema or t.schema, fk.ref_table)
                optional = any((t.column(c) is None or t.column(c).nullable) for c in fk.columns)
                one = any(set(u.columns) == set(fk.columns) for u in t.uniques) or (
                    t.primary_key is not None and set(t.primary_key.columns) == set(fk.columns))
                lines.append(f"  - each {md_text(singular(t.name))} {'may belong' if optional else 'belongs'} to one "
                             f"{md_text(singular(fk.ref_table))}; a {md_text(singular(fk.ref_table))} has "
                             f"{'at most one ' + md_text(singular(t.name)) if one else 'any number of ' + md_text(t.name)} "
                             f"({md_text(', '.join(fk.columns))} -> {md_text(ref)}, on delete "
                             f"{str(fk.on_delete).lower().replace('_', ' ')})")
            if audit:
                lines.append(f"  - records which {md_text(', '.join(audit))} row created and last changed it "
                             "(audit columns)")
        lines.append("")
    return "\n".join(lines)


def index_strategy(schema: Schema) -> str:
    f = schema.facts
    lines = [f"# Index strategy: {md_text(f.project.name)}", "",
             "Every index with the reason it exists. Keys (primary and unique) are indexes too; foreign keys are "
             "covered so that joins and ON DELETE on the parent do not scan the child.", "",
             "| table | index | columns | kind | why |", "|---|---|---|---|---|"]
    n_fk_covered = n_fk = 0
    for t in schema.tables:
        if t.primary_key:
            lines.append(f"| {_name(t)} | {md_code(t.primary_key.name)} | {md_cell(', '.join(t.primary_key.columns))} | "
                         "PRIMARY KEY | row identity |")
        for u in t.uniques:
            lines.append(f"| {_name(t)} | {md_code(u.name)} | {md_cell(', '.join(u.columns))} | UNIQUE | "
                         f"{md_cell(u.origin.reason or 'uniqueness stated in the source')} |")
        for ix in t.indexes:
            kind = ("UNIQUE " if ix.unique else "") + str(ix.method).upper() + (" partial" if ix.where else "")
            cols = ", ".join(ix.columns) + (f" WHERE {ix.where}" if ix.where else "") + (
                f" INCLUDE ({', '.join(ix.include)})" if ix.include else "")
            lines.append(f"| {_name(t)} | {md_code(ix.name)} | {md_cell(cols)} | {kind} | "
                         f"{md_cell(ix.comment or ix.origin.reason or 'given in the source')} |")
        for fk in t.foreign_keys:
            n_fk += 1
            leading = [tuple(ix.columns[:len(fk.columns)]) for ix in t.indexes]
            leading += [tuple(k.columns[:len(fk.columns)]) for k in ([t.primary_key] if t.primary_key else []) + list(t.uniques)]
            n_fk_covered += tuple(fk.columns) in leading
    lines += ["", f"Foreign keys covered by an index that starts with their columns: {n_fk_covered} of {n_fk}.", ""]
    if f.query_patterns:
        lines += ["## Declared query patterns", "", "| pattern | target | SQL |", "|---|---|---|"]
        lines += [f"| {md_cell(q.name)} | {md_cell(q.target_latency or '-')} | {md_code(' '.join((q.sql or '-').split()))} |"
                  for q in f.query_patterns]
        lines.append("")
    advice = [i for i in schema.inferences if i.rule.startswith(("index.", "pattern."))]
    if advice:
        lines += ["## Index decisions", "", "| rule | subject | decision | reason |", "|---|---|---|---|"]
        lines += [f"| {md_code(i.rule)} | {md_code(i.subject)} | {md_cell(i.decision)} | {md_cell(i.reason)} |"
                  for i in advice]
        lines.append("")
    lines += ["Measure before adding more: `schemawright advise` tries candidate indexes against a workload and "
              "lists unused and redundant ones.", ""]
    return "\n".join(lines)


def capacity(schema: Schema) -> str:
    f = schema.facts
    growth_text = f.performance_targets.data_volume.growth_rate if (
        f.performance_targets and f.performance_targets.data_volume) else None
    g = monthly_growth(growth_text)
    now = {id(t): table_estimate(t, t.estimated_rows or 0) for t in schema.tables}  # per table: names may repeat
    later = {m: {id(t): table_estimate(t, int((t.estimated_rows or 0) * (1 + g) ** m)) for t in schema.tables}
             for m in GROWTH_PERIODS}
    total = lambda ests: sum(e["total_bytes"] for e in ests.values())  # noqa: E731
    if not any(t.estimated_rows for t in schema.tables):
        return "\n".join([f"# Capacity planning: {md_text(f.project.name)}", "",
                           "The source gives no row estimates (it is SQL or a live database, not a task input with "
                           "data volumes), so no storage projection is made here. For a live database, "
                           "`schemawright lint --allow-unmodelled $DATABASE_URL` reports table sizes and growth signals.", ""])
    lines = [f"# Capacity planning: {md_text(f.project.name)}", "",
             f"Growth: {md_text(growth_text) if growth_text else 'not stated in the input; 5% a month assumed'} "
             f"= {g:.2%} a month. Sizes from the storage formula (heap pages from aligned tuple widths, B-trees at "
             "90% leaf fill; `schemawright bench` checks it against measured sizes).", "",
             "| table | rows now | size now | " + " | ".join(f"rows in {m} months | size in {m} months"
                                                           for m in GROWTH_PERIODS) + " |",
             "|---|---:|---:|" + "---:|---:|" * len(GROWTH_PERIODS)]
    for t in schema.tables:
        est = now[id(t)]
        cells = [f"{later[m][id(t)]['rows']:,} | {human(later[m][id(t)]['total_bytes'])}" for m in GROWTH_PERIODS]
        lines.append(f"| {_name(t)} | {est['rows']:,} | {human(est['total_bytes'])} | " + " | ".join(cells) + " |")
    lines.append(f"| **total** | | **{human(total(now))}** | " + " | ".join(f"| **{human(total(later[m]))}**"
                                                                       for m in GROWTH_PERIODS) + " |")
    estimated = [i.subject for i in schema.inferences if i.rule == "default.rows"]
    if estimated:
        lines += ["", "Rows not stated in the input are estimates (docs/inferences.md `default.rows` says from "
                  "what): " + ", ".join(f"`{md_text(n)}`" for n in estimated) + ". State `estimated_rows` to size "
                  "them exactly."]
    biggest = total(later[GROWTH_PERIODS[-1]])
    index_share = sum(e["index_bytes"] for e in now.values()) / (total(now) or 1)
    lines += ["", "## What follows", "",
              f"- Provision disk for {human(biggest * 2)} (twice the {GROWTH_PERIODS[-1]}-month size: room for "
              "VACUUM, index rebuilds and WAL); the disk alert fires below 5% free (monitoring/).",
              f"- Indexes take {index_share:.0%} of the space now.",
              "- Backups: a full dump grows with the data; `schemawright verify --backup` times a backup and restore "
              "and projects them to the target volume.", ""]
    parts = [t for t in schema.tables if t.partitioning]
    if parts:
        lines += ["Partitioned tables (old partitions can be detached and archived): "
                  + ", ".join(_name(t) for t in parts) + ".", ""]
    return "\n".join(lines)


class DesignDocs(Renderer):
    name = "design_docs"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        s = ctx.schema
        return [
            Artifact("docs/PRD.md", prd(s), "doc", "Requirements as understood and how each was met"),
            Artifact("docs/schema_overview.md", overview(s), "doc", "Architecture, domains and decisions with reasons"),
            Artifact("models/conceptual/domain_model.md", domain_model(s), "doc", "Conceptual domain model"),
            Artifact("docs/index_strategy.md", index_strategy(s), "doc", "Every index and why it exists"),
            Artifact("docs/capacity_planning.md", capacity(s), "doc", "Storage now and after the growth period"),
        ]
