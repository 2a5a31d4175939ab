from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Table


class NoPrimaryKey(SchemaRule):
    """A table has no primary key.

    Without a primary key, duplicate rows cannot be prevented or told apart, rows cannot be updated
    or deleted one at a time reliably, foreign keys cannot point at the table, and logical
    replication cannot replicate its updates and deletes. Seed 004's template starts every table
    with one.

    **Bad**

    ```sql
    CREATE TABLE events (name text, occurred_at timestamptz);
    ```

    **Good**

    ```sql
    CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text,
                         occurred_at timestamptz);
    ```
    """

    code = "SW201"
    name = "no-primary-key"
    severity = Severity.WARNING
    fix = "Add a key: ALTER TABLE events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;"
    targets = (Table,)

    def check(self, table, ctx):
        if table.primary_key is None:
            unique = next((u for u in table.uniques if all(not _nullable(table, c) for c in u.columns)), None)
            if unique is not None:
                fix = (f"ALTER TABLE {ctx.table_sql(table)} ADD CONSTRAINT {q('pk_' + table.name)} "
                       f"PRIMARY KEY USING INDEX {q(unique.name)};")
            else:
                fix = (f"ALTER TABLE {ctx.table_sql(table)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY "
                       f"CONSTRAINT {q('pk_' + table.name + '_id')} PRIMARY KEY;")
            yield self.report(ctx, f"Table {table.name!r} has no primary key.", at=ctx.table_path(table), fix=fix)


def _nullable(table: Table, name: str) -> bool:
    column = table.column(name)
    return column is None or column.nullable
