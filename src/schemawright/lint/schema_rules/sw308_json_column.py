from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.lint.schema_rules.types import columns_of, retype
from schemawright.model.schema import Table
from schemawright.model.types import Kind


class JsonColumn(SchemaRule):
    """A column is `json` rather than `jsonb`.

    `json` stores the text as given and re-parses it on every access; it has no equality operator
    (so no `DISTINCT`, `GROUP BY` or unique index) and no GIN index support. `jsonb` is parsed once,
    indexable and comparable. Keep `json` only to preserve key order or duplicate keys exactly.

    **Bad**

    ```sql
    CREATE TABLE events (id bigint PRIMARY KEY, payload json NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL);
    ```
    """

    code = "SW308"
    name = "json-column"
    severity = Severity.INFO
    fix = "ALTER TABLE events ALTER COLUMN payload TYPE jsonb;  (rewrites the table)"
    targets = (Table,)

    def check(self, table, ctx):
        for column in columns_of(table, Kind.JSON):
            yield self.report(ctx, f"Column {column.name!r} is {column.type}: use jsonb.",
                              at=ctx.table_path(table, column.name), fix=retype(ctx, table, column, "jsonb"))
