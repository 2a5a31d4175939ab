from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Table
from schemawright.model.types import Kind


class BooleanColumnName(SchemaRule):
    """A boolean column's name does not read as a yes/no question (`is_active`, `has_paid`).

    Seed 004 names flags `is_active`; `active`, `paid` or `flag` could as well be a date, an amount
    or a status code. The accepted prefixes are `naming: {boolean_prefixes: [is_, has_, can_, ...]}`.

    **Bad**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY, active boolean NOT NULL DEFAULT true);
    ```

    **Good**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY, is_active boolean NOT NULL DEFAULT true);
    ```
    """

    code = "SW111"
    name = "boolean-column-name"
    severity = Severity.INFO
    fix = "Rename the column: ALTER TABLE users RENAME COLUMN active TO is_active;"
    targets = (Table,)

    def check(self, table, ctx):
        prefixes = ctx.settings.naming.boolean_prefixes
        for column in table.columns:
            if column.type.kind == Kind.BOOLEAN and not column.type.array_dims and not column.name.startswith(prefixes):
                better = f"{prefixes[0]}{column.name}" if prefixes else column.name
                yield self.report(ctx, f"Boolean column {column.name!r} does not start with "
                                       f"{', '.join(prefixes)}.", at=ctx.table_path(table, column.name),
                                  fix=f"ALTER TABLE {ctx.table_sql(table)} RENAME COLUMN {q(column.name)} "
                                      f"TO {q(better)};")
