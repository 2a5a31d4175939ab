from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, key_columns
from schemawright.lint.schema_rules.types import retype
from schemawright.model.schema import Table
from schemawright.model.types import Kind

_LIMITS = {Kind.INTEGER: "2,147,483,647", Kind.SMALLINT: "32,767"}


class IntegerKey(SchemaRule):
    """A primary or foreign key column is `integer` or `smallint`, so its values can run out.

    An `integer` key stops at 2,147,483,647 (`smallint` at 32,767); inserts then fail, and widening
    the column later rewrites the table and every index and referencing column. `bigint` costs four
    bytes more per row. On a live database SW701 measures how close each key sequence is.

    **Bad**

    ```sql
    CREATE TABLE events (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
    ```

    **Good**

    ```sql
    CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
    ```
    """

    code = "SW307"
    name = "integer-key"
    severity = Severity.INFO
    fix = "ALTER TABLE events ALTER COLUMN id TYPE bigint;  (rewrites the table; widen referencing columns too)"
    targets = (Table,)

    def check(self, table, ctx):
        keys = key_columns(table)
        for column in table.columns:
            if column.name in keys and column.type.kind in _LIMITS and not column.type.array_dims:
                yield self.report(ctx, f"Key column {column.name!r} is {column.type}: it runs out after "
                                       f"{_LIMITS[column.type.kind]} values.", at=ctx.table_path(table, column.name),
                                  fix=retype(ctx, table, column, "bigint"))
