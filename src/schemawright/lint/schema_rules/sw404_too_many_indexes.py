from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table


class TooManyIndexes(SchemaRule):
    """A table has more indexes than `thresholds: {max_indexes: 8}` (live: and is written more than read).

    Seed 004: "Too Many Indexes: Each index has write cost". Every insert updates every index, and
    every update of an indexed column does too (and loses HOT updates); past a handful of indexes,
    writes slow down and WAL grows for indexes few queries use. On a live database the rule only
    fires for tables with more rows written than scans made since the statistics were reset, and
    SW702 lists the indexes that were never used.

    **Bad**

    ```sql
    -- events: 12 single-column indexes, one per column "just in case"
    CREATE INDEX idx_events_a ON events (a);  CREATE INDEX idx_events_b ON events (b);  -- ...
    ```

    **Good**

    ```sql
    -- one composite index per real query pattern
    CREATE INDEX idx_events_a_b ON events (a, b);
    ```
    """

    code = "SW404"
    name = "too-many-indexes"
    severity = Severity.WARNING
    fix = "Drop the indexes no query needs (see SW702 on a live database): DROP INDEX CONCURRENTLY idx_events_b;"
    targets = (Table,)

    def check(self, table, ctx):
        keys = ctx.index_keys(table)
        limit = ctx.settings.thresholds.max_indexes
        if len(keys) <= limit:
            return
        activity = ctx.activity.tables.get((table.schema, table.name)) if ctx.activity else None
        if activity is not None and activity.writes < activity.scans:
            return  # read-mostly: the indexes pay for themselves
        usage = f" ({activity.writes} rows written, {activity.scans} scans)" if activity else ""
        candidates = [k.name for k in keys if k.kind == "index"]
        yield self.report(ctx, f"Table {table.name!r} has {len(keys)} indexes (more than {limit}){usage}: every "
                               "write maintains all of them.", at=ctx.table_path(table),
                          fix="-- drop the ones no query uses, e.g.\n" + "\n".join(
                              f"DROP INDEX CONCURRENTLY {ctx.sql_name(table.schema, n)};" for n in candidates[-2:]))
