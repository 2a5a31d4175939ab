"""Read replicas and pooling: which read patterns may run on a streaming replica given their staleness
tolerance (``docs/replicas.md``, ``config/read_routing.json``), how many replicas the read target needs, the
replication settings (postgresql.conf.example, primary and standby) and the PgBouncer entries that route
read-only and LISTEN clients (pgbouncer.ini.example).

Staleness tolerance per read pattern (seconds a result may lag the primary): a primary-key lookup is the
read-your-writes case (0: primary); lists and joins tolerate a few seconds; reports minutes. A pattern whose
name or description says it must be current (balance, available, stock, current, real-time...), or that
reads a table a business rule keeps balanced, stays on the primary. A pattern goes to a replica when its
tolerance exceeds ``REPLICA_LAG_BUDGET``, the lag the monitoring alerts on.
"""

from __future__ import annotations

import json
import math
import re

from schemawright.analysis.workload import read_shapes
from schemawright.escape import md_cell as m
from schemawright.escape import md_text
from schemawright.escape import safe_name
from schemawright.render import Artifact, RenderContext, Renderer
from schemawright.render.config import ConfigSection, config_section

REPLICA_LAG_BUDGET = 1.0  # seconds: async streaming replication in one region; alert above it
TOLERANCE = {"pk": 0.0, "simple": 5.0, "complex": 5.0, "report": 300.0, "write": 0.0}
MUST_BE_CURRENT = re.compile(r"\b(balance|available|availability|stock|inventory|current|real[- ]?time|latest|"
                             r"lock|reserve|seat|checkout|payment|auth|login|session)\w*", re.I)
READS_PER_CORE = 1000  # simple indexed reads per second one core serves (assumption, written in the doc)
# Where READS_PER_CORE comes from, written into docs/replicas.md and config/read_routing.json with it
CAPACITY_SOURCE = ("an assumption, not a measurement of your server. Source: schemawright's own measurement "
                   "(benchmarks/cache_peak.py, docs/benchmarks.md of schemawright): under concurrent load, "
                   "PostgreSQL 15 backends spent about 130 us of CPU per read of the generated read patterns (key "
                   "lookups, lists by parent, joins, 30-day reports) on seeded data that fits in memory, i.e. about "
                   "7,500 reads/s per core of backend CPU alone. 1,000 leaves about 7x for what that figure does "
                   "not hold: connection handling and PgBouncer, WAL replay on a replica, checkpoints, autovacuum, "
                   "reads of data larger than RAM and the slow tail of complex reads. Replace it with "
                   "`schemawright bench` on your own hardware and data")


def _category(text: str) -> str:
    if re.match(r"\s*(insert|update|delete|merge)", text, re.I):
        return "write"
    return "report" if re.search(r"\bgroup\s+by\b", text, re.I) else (
        "complex" if re.search(r"\bjoin\b", text, re.I) else "simple")


def routing(ctx: RenderContext) -> list[dict]:
    """Per read pattern: name, source, category, tolerance (s), target (primary | replica), why."""
    schema = ctx.schema
    balanced = {b.table for b in schema.facts.balanced_sums}
    default = schema.facts.scale.default_rows if schema.facts.scale else 1_000_000
    out = []

    def decide(name: str, source: str, category: str, text: str, tables: list[str], description: str = "") -> None:
        tolerance = TOLERANCE[category]
        why = {"pk": "read-your-writes lookup by key", "write": "a write",
               "report": "an aggregate over a period: minutes of lag do not change its meaning"}.get(
            category, "a list: seconds of lag are invisible to a reader")
        hit = MUST_BE_CURRENT.search(f"{name} {description}")
        if category not in ("pk", "write", "report") and hit:
            tolerance, why = 0.0, f"must be current ('{hit.group(0)}')"
        kept = sorted(set(tables) & balanced)
        if kept and category != "report":
            tolerance, why = 0.0, f"reads {', '.join(kept)}, kept balanced by a rule: read it where it is written"
        target = "replica" if tolerance > REPLICA_LAG_BUDGET else "primary"
        out.append({"pattern": name, "source": source, "category": category, "tolerance_seconds": tolerance,
                    "target": target, "why": why})

    names = {t.name for t in schema.tables}
    for p in schema.facts.query_patterns:
        if not p.sql:
            continue
        tables = [n for n in names if re.search(rf"\b{re.escape(n)}\b", p.sql)]
        decide(p.name, "query_patterns", _category(p.sql), p.sql, tables, p.description or "")
    for s in read_shapes(schema, lambda t: t.estimated_rows or default):
        decide(s.name, "design", s.category, s.sql, [s.table])
    return out


def plan(ctx: RenderContext) -> dict:
    from schemawright.render.tuning_config import sizing

    z = sizing(ctx)
    routes = routing(ctx)
    perf = ctx.schema.facts.performance_targets
    reads = (perf.read_operations_per_second if perf else None) or 0
    share = (sum(1 for r in routes if r["target"] == "replica") / len(routes)) if routes else 0.0
    capacity = z.cores * READS_PER_CORE
    replicas = max(1, math.ceil(reads * share / capacity)) if reads else 1
    return {"routes": routes, "replica_share": round(share, 3), "reads_per_second": reads,
            "node_capacity": capacity, "replicas": replicas, "lag_budget_seconds": REPLICA_LAG_BUDGET,
            "pool": z.pool, "clients": z.clients, "cores": z.cores,
            "capacity_assumption": {"reads_per_core": READS_PER_CORE, "cores": z.cores,
                                    "cores_from": "the project scale's assumed machine (config/postgresql.conf.example)",
                                    "source": CAPACITY_SOURCE}}


class Replicas(Renderer):
    name = "replicas"

    def render(self, ctx: RenderContext) -> list[Artifact]:
        p = plan(ctx)
        db = safe_name(ctx.schema.facts.project.name)
        doc = [f"# Read replicas and pooling: {md_text(ctx.schema.facts.project.name)}", "",
               f"- **Replicas: {p['replicas']}** streaming (asynchronous) standby(s), at least one for failover. "
               f"{p['replica_share']:.0%} of the read patterns may read from a replica; the read target is "
               f"{p['reads_per_second'] or 'not stated'} reads/s and one node serves about {p['node_capacity']:,} "
               f"simple reads/s ({p['cores']} cores x {READS_PER_CORE}: see the capacity assumption below).",
               f"- **Capacity assumption: {READS_PER_CORE:,} simple reads/s per core, {p['cores']} cores** (the "
               "project scale's assumed machine, as in `config/postgresql.conf.example`). This is "
               f"{CAPACITY_SOURCE}.",
               f"- **Lag budget: {REPLICA_LAG_BUDGET:g} s.** A pattern reads from a replica only when it tolerates "
               "more staleness than that; the replication-lag alert (monitoring/) fires above it, and the "
               "application should then send replica reads to the primary.",
               f"- **Pooling:** PgBouncer in transaction mode (`{db}` for the primary, `{db}_ro` for the replicas, "
               f"`{db}_listen` in session mode for LISTEN clients such as the cache invalidation listener). In "
               "transaction mode session state does not survive a transaction: set the session settings the "
               "policies read with `SET LOCAL` / `set_config(..., true)` inside each transaction.",
               "- Settings: `config/postgresql.conf.example` (section *Read replicas*), "
               "`config/pgbouncer.ini.example`; the routing as data: `config/read_routing.json`.",
               "- Not proven here: no replica runs in the tests; the settings' names and values are checked "
               "against a PostgreSQL server's pg_settings, and the routing rules by unit tests.", "",
               "| pattern | from | category | tolerates (s) | reads from | why |", "|---|---|---|---|---|---|"]
        for r in p["routes"]:
            doc.append(f"| {m(r['pattern'])} | {m(str(r['source']))} | {m(str(r['category']))} | "
                       f"{r['tolerance_seconds']:g} | {m(str(r['target']))} | {m(r['why'])} |")
        return [Artifact("docs/replicas.md", "\n".join(doc) + "\n", "doc",
                         "Read replicas: routing per query pattern, replica count, pooling"),
                Artifact("config/read_routing.json", json.dumps(p, indent=2) + "\n", "config",
                         "Which read patterns may use a replica (staleness tolerance vs lag budget)")]


def primary_lines() -> list[str]:
    return [
        "# On the primary (wal_level, max_wal_senders and wal_keep_size are in the WAL archiving section):",
        "max_replication_slots = 10             # one slot per replica: WAL is kept until each replica has it",
        "synchronous_commit = on",
        "synchronous_standby_names = ''         # asynchronous replicas: a replica never slows a commit (RPO via WAL archive)",
        "# On each replica (standby.signal in its data directory, primary_conninfo and primary_slot_name set):",
        "hot_standby = on                       # read-only queries on the replica",
        "hot_standby_feedback = on              # the primary keeps rows a replica query still reads (no cancellations)",
        "max_standby_streaming_delay = 30s      # a long report may delay replay by at most this much",
        "wal_receiver_status_interval = 1s      # lag is visible to monitoring within a second",
        "recovery_min_apply_delay = 0           # no deliberate delay: replicas serve reads",
    ]


@config_section
def replica_sections(ctx: RenderContext) -> list[ConfigSection]:
    return [ConfigSection("postgresql.conf.example", "Read replicas and streaming replication", primary_lines(),
                          order=350)]
