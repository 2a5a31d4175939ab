from __future__ import annotations

import fnmatch

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.names import singular
from schemawright.model.schema import Table


class ForeignKeyColumnName(SchemaRule):
    """A single-column foreign key's column does not follow the `<referenced table singular>_id` pattern.

    Seed 004: "Foreign Keys: referenced_table_singular_id" (`user_id`, `order_id`). Columns that end
    like a key are recognisable as one in every query. Role-named references are fine as long as the
    suffix shows it (`manager_id`, `created_by`); the accepted patterns are the globs in
    `naming: {foreign_key_columns: ["*_id", "*_by"]}`.

    **Bad**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint REFERENCES customers (id));
    ```

    **Good**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));
    ```
    """

    code = "SW105"
    name = "foreign-key-column-name"
    severity = Severity.INFO
    fix = "Rename the column: ALTER TABLE orders RENAME COLUMN customer TO customer_id;"
    targets = (Table,)

    def check(self, table, ctx):
        patterns = ctx.settings.naming.foreign_key_columns
        for fk in table.foreign_keys:
            if len(fk.columns) != 1:
                continue
            column = fk.columns[0]
            if not any(fnmatch.fnmatchcase(column, p) for p in patterns):
                better = f"{singular(fk.ref_table)}_id"
                yield self.report(ctx, f"Foreign key column {column!r} (to {fk.ref_table!r}) does not match "
                                       f"{' or '.join(patterns)}; expected e.g. {better!r}.",
                                  at=ctx.table_path(table, column),
                                  fix=f"ALTER TABLE {ctx.table_sql(table)} RENAME COLUMN {q(column)} TO {q(better)};")
