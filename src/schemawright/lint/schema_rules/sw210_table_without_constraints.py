from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Table


class TableWithoutConstraints(SchemaRule):
    """Apart from its key, a table constrains nothing: every column nullable, no CHECK, UNIQUE or foreign key.

    Seed 004: "No Constraints: Let DB enforce rules". If the database accepts a row with every
    field NULL, so will the next bug; NOT NULL and CHECK cost nothing at read time and document
    what a valid row is. The rule fires on tables with at least two non-key columns.

    **Bad**

    ```sql
    CREATE TABLE products (id bigint PRIMARY KEY, name text, price numeric, sku text);
    ```

    **Good**

    ```sql
    CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL,
                           price numeric(12,2) NOT NULL CHECK (price >= 0), sku text NOT NULL UNIQUE);
    ```
    """

    code = "SW210"
    name = "table-without-constraints"
    severity = Severity.INFO
    fix = "ALTER TABLE products ALTER COLUMN name SET NOT NULL, ADD CONSTRAINT chk_products_price CHECK (price >= 0);"
    targets = (Table,)

    def check(self, table, ctx):
        key = set(table.primary_key.columns) if table.primary_key else set()
        others = [c for c in table.columns if c.name not in key]
        if len(others) < 2 or table.checks or table.uniques or table.foreign_keys:
            return
        if any(i.unique for i in table.indexes) or any(not c.nullable for c in others):
            return
        yield self.report(ctx, f"Table {table.name!r} has {len(others)} non-key columns, all nullable, and no "
                               "CHECK, UNIQUE or foreign key.", at=ctx.table_path(table),
                          fix=f"ALTER TABLE {ctx.table_sql(table)} ALTER COLUMN {q(others[0].name)} SET NOT NULL;"
                              "  -- and CHECK / UNIQUE where the data has rules")
