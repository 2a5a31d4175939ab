from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table


class GodTable(SchemaRule):
    """A table has so many columns that it probably holds several things at once (a "god table").

    Seed 004: "God Tables: Split large tables appropriately". Wide tables mix attributes that change
    at different rates and belong to different concepts; every update rewrites the whole wide row,
    most columns are NULL most of the time, and every query drags the width along. The limit is
    `thresholds: {god_table_columns: 30}`.

    **Bad**

    ```sql
    CREATE TABLE customers (id bigint PRIMARY KEY, name text, billing_street text, billing_city text,
        shipping_street text, shipping_city text, preferred_language text, newsletter boolean
        /* ... 40 more ... */);
    ```

    **Good**

    ```sql
    CREATE TABLE customers (id bigint PRIMARY KEY, name text);
    CREATE TABLE customer_addresses (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id),
                                     kind text CHECK (kind IN ('billing', 'shipping')), street text, city text);
    ```
    """

    code = "SW204"
    name = "god-table"
    severity = Severity.WARNING
    fix = ("Move groups of related columns into their own tables (1:1 or 1:N) and reference the original: "
           "CREATE TABLE customer_addresses (..., customer_id bigint REFERENCES customers (id));")
    targets = (Table,)

    def check(self, table, ctx):
        limit = ctx.settings.thresholds.god_table_columns
        if len(table.columns) > limit:
            yield self.report(ctx, f"Table {table.name!r} has {len(table.columns)} columns (more than {limit}): "
                                   "split it by concept.", at=ctx.table_path(table),
                              fix=f"-- move related columns of {ctx.table_sql(table)} into a new table, e.g.\n"
                                  f"CREATE TABLE {ctx.sql_name(table.schema, table.name + '_details')} "
                                  f"(id bigint PRIMARY KEY REFERENCES {ctx.table_sql(table)} (id) /* , ... */);")
