from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table


class SequentialScanHeavy(SchemaRule):
    """A large table is mostly read by sequential scans (live databases).

    Seed 004's optimization checklist: "Check for sequential scans on large tables". A sequential
    scan reads every page; on a table of `thresholds: {seq_scan_min_rows: 10000}` rows or more,
    queries that keep doing it (more than `seq_scan_ratio` of all scans) usually lack an index.
    Find them in `pg_stat_statements` and `EXPLAIN` them (or run `schemawright advise`).

    **Bad**

    ```sql
    -- pg_stat_user_tables: orders seq_scan = 52,000, idx_scan = 900, n_live_tup = 3,000,000
    ```

    **Good**

    ```sql
    CREATE INDEX CONCURRENTLY idx_orders_customer_id ON orders (customer_id);  -- for the query found
    ```
    """

    code = "SW705"
    name = "sequential-scan-heavy"
    severity = Severity.WARNING
    fix = ("Find the scanning queries (pg_stat_statements, EXPLAIN) and index their filters: "
           "CREATE INDEX CONCURRENTLY ...")
    targets = (Table,)
    needs = "live"

    def check(self, table, ctx):
        activity = ctx.activity.tables.get((table.schema, table.name))
        limits = ctx.settings.thresholds
        if activity is None or activity.n_live_tup < limits.seq_scan_min_rows or activity.seq_scan == 0:
            return
        share = activity.seq_scan / activity.scans
        if share >= limits.seq_scan_ratio:
            avg = activity.seq_tup_read // activity.seq_scan
            yield self.report(ctx, f"Table {table.name!r} ({activity.n_live_tup:,} rows): {activity.seq_scan:,} of "
                                   f"{activity.scans:,} scans ({share:.0%}) were sequential, reading {avg:,} rows "
                                   "each on average.", at=ctx.table_path(table),
                              fix=f"-- find the queries on {ctx.table_sql(table)} in pg_stat_statements, EXPLAIN them, "
                                  "and CREATE INDEX CONCURRENTLY on the columns they filter")
