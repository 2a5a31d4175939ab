from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table


class NeverVacuumedOrAnalyzed(SchemaRule):
    """A table with data has never been vacuumed or never been analyzed (live databases).

    Without ANALYZE the planner guesses row counts and value distributions and picks bad plans;
    without VACUUM dead rows are never reclaimed, the visibility map stays empty (no index-only
    scans) and transaction-ID wraparound creeps closer. Autovacuum normally does both; a table it
    never reached usually has autovacuum disabled, or was bulk-loaded just now. Tables under
    `thresholds: {vacuum_min_rows: 1000}` rows are not reported.

    **Bad**

    ```sql
    -- pg_stat_user_tables: last_vacuum, last_autovacuum, last_analyze, last_autoanalyze all NULL
    ```

    **Good**

    ```sql
    VACUUM (ANALYZE) orders;
    ALTER TABLE orders RESET (autovacuum_enabled);
    ```
    """

    code = "SW703"
    name = "never-vacuumed-or-analyzed"
    severity = Severity.WARNING
    fix = "VACUUM (ANALYZE) orders;  -- and check why autovacuum skipped it (autovacuum_enabled = off?)"
    targets = (Table,)
    needs = "live"

    def check(self, table, ctx):
        activity = ctx.activity.tables.get((table.schema, table.name))
        if activity is None or activity.n_live_tup + activity.n_dead_tup < ctx.settings.thresholds.vacuum_min_rows:
            return
        missing = [what for what, when in (("vacuumed", activity.last_vacuum), ("analyzed", activity.last_analyze))
                   if when is None]
        if missing:
            command = "VACUUM (ANALYZE)" if len(missing) == 2 or missing == ["vacuumed"] else "ANALYZE"
            yield self.report(ctx, f"Table {table.name!r} ({activity.n_live_tup:,} live rows) has never been "
                                   f"{' or '.join(missing)}.", at=ctx.table_path(table),
                              fix=f"{command} {ctx.table_sql(table)};")
