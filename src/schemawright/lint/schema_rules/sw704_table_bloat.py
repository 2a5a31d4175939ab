from __future__ import annotations

import math

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table

_TUPLE_OVERHEAD = 24 + 4  # heap tuple header (aligned) + line pointer
_PAGE_HEADER = 24


class TableBloat(SchemaRule):
    """A table's pages hold much less live data than their size suggests: an estimated bloat (live databases).

    After mass updates or deletes, vacuum makes dead space reusable but does not shrink the file:
    sequential scans read the empty pages, the cache holds them, and backups copy them. The
    estimate compares the table's pages with the space its live rows need (row count and average
    column widths from the planner statistics, tuple overhead, page header). It fires when more than
    `thresholds: {bloat_ratio: 0.5}` of the pages, and at least `bloat_min_bytes` (8 MB), look wasted.
    It is an estimate: run `ANALYZE` first, and confirm with the `pgstattuple` extension.

    **Bad**

    ```sql
    -- events: 40 GB on disk, 6 GB of live rows after a purge
    ```

    **Good**

    ```sql
    -- rewrite online with pg_repack, or (with an exclusive lock for the duration):
    VACUUM (FULL, ANALYZE) events;
    ```
    """

    code = "SW704"
    name = "table-bloat"
    severity = Severity.WARNING
    fix = "Rewrite the table: pg_repack --table events (online), or VACUUM (FULL, ANALYZE) events; (locks it)"
    targets = (Table,)
    needs = "live"

    def check(self, table, ctx):
        facts = ctx.relation_facts(table.schema, table.name)
        if facts is None or facts.relpages <= 1 or facts.reltuples < 0:
            return
        widths = [ctx.catalog.column_stats.get((table.schema, table.name, c.name)) for c in table.columns]
        if not widths or any(w is None for w in widths):
            return  # not analyzed: no estimate
        row = _TUPLE_OVERHEAD + math.ceil(len(table.columns) / 8) + sum(w.avg_width * (1 - w.null_frac) for w in widths)
        per_page = max(1, (facts.block_size - _PAGE_HEADER) // row)
        expected = math.ceil(facts.reltuples / per_page) if facts.reltuples else 0
        wasted = max(0, facts.relpages - expected)
        wasted_bytes = wasted * facts.block_size
        limits = ctx.settings.thresholds
        if wasted / facts.relpages >= limits.bloat_ratio and wasted_bytes >= limits.bloat_min_bytes:
            yield self.report(ctx, f"Table {table.name!r} has {facts.relpages:,} pages for about {expected:,} pages "
                                   f"of live rows: an estimated {wasted / facts.relpages:.0%} "
                                   f"({wasted_bytes / 1048576:,.1f} MB) is bloat.", at=ctx.table_path(table),
                              fix=f"VACUUM (FULL, ANALYZE) {ctx.table_sql(table)};  -- takes an ACCESS EXCLUSIVE "
                                  "lock; pg_repack does it online")
