from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table


class UnusedIndex(SchemaRule):
    """An index has not been used by any query since the statistics were last reset (live databases).

    Seed 004: "Never analyzing index usage". An unused index still costs every insert and update,
    WAL, replication traffic, cache space and vacuum time. Primary keys and indexes backing a unique
    or exclusion constraint are not reported (they enforce something). Check every server that runs
    queries (replicas keep their own counters) and a full business cycle since the last reset before
    dropping.

    **Bad**

    ```sql
    -- pg_stat_user_indexes: idx_orders_note idx_scan = 0 after three months
    ```

    **Good**

    ```sql
    DROP INDEX CONCURRENTLY idx_orders_note;
    ```
    """

    code = "SW702"
    name = "unused-index"
    severity = Severity.INFO
    fix = "DROP INDEX CONCURRENTLY idx_orders_note;  (after checking replicas and a full business cycle)"
    targets = (Table,)
    needs = "live"

    def check(self, table, ctx):
        since = f" since {ctx.activity.stats_reset:%Y-%m-%d}" if ctx.activity.stats_reset else ""
        for index in table.indexes:
            usage = ctx.activity.indexes.get((table.schema, index.name))
            if usage is None or usage.is_unique or usage.is_primary or usage.backs_constraint:
                continue
            if usage.idx_scan <= ctx.settings.thresholds.unused_index_min_scans:
                yield self.report(ctx, f"Index {index.name!r} on {table.name} has been scanned {usage.idx_scan} "
                                       f"times{since} ({usage.size_bytes:,} bytes).",
                                  at=ctx.table_path(table, index.name),
                                  fix=f"DROP INDEX CONCURRENTLY {ctx.sql_name(table.schema, index.name)};")
