from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table

SMALL_TABLE_ROWS = 1_000


class TableWithoutIndexes(SchemaRule):
    """A table has no index at all: not even a primary key or unique constraint.

    Seed 004: "No Indexes: Index based on query patterns". Every lookup, join and foreign-key check
    on the table is a sequential scan, and duplicates cannot be prevented. On a live database tables
    under 1,000 rows are exempt (seed 004: "Indexing small tables unnecessarily").

    **Bad**

    ```sql
    CREATE TABLE audit_entries (table_name text, row_id bigint, changed_at timestamptz);
    ```

    **Good**

    ```sql
    CREATE TABLE audit_entries (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, table_name text,
                                row_id bigint, changed_at timestamptz);
    CREATE INDEX idx_audit_entries_table_name_row_id ON audit_entries (table_name, row_id);
    ```
    """

    code = "SW405"
    name = "table-without-indexes"
    severity = Severity.WARNING
    fix = "Add a primary key, then an index per query pattern: CREATE INDEX CONCURRENTLY ... ON audit_entries (...);"
    targets = (Table,)

    def check(self, table, ctx):
        if ctx.index_keys(table):
            return
        activity = ctx.activity.tables.get((table.schema, table.name)) if ctx.activity else None
        if activity is not None and activity.n_live_tup < SMALL_TABLE_ROWS:
            return
        yield self.report(ctx, f"Table {table.name!r} has no index: every lookup reads the whole table.",
                          at=ctx.table_path(table),
                          fix=f"ALTER TABLE {ctx.table_sql(table)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY "
                              f"PRIMARY KEY;  -- and CREATE INDEX CONCURRENTLY ... for the queries that filter it")
