from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.lint.schema_rules.types import columns_of, retype
from schemawright.model.schema import Table
from schemawright.model.types import Kind


class TimestampWithoutTimeZone(SchemaRule):
    """A column is `timestamp` (without time zone): its values mean different instants to different clients.

    A `timestamp` keeps no offset: `now()` is stored in the writer's session time zone and read back
    unchanged in any other, so servers or clients in different zones (or a DST change) silently
    shift the data. `timestamptz` stores an instant in the same 8 bytes. Seed 004's template uses
    `TIMESTAMPTZ` for every point in time.

    **Bad**

    ```sql
    CREATE TABLE events (id bigint PRIMARY KEY, occurred_at timestamp NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE events (id bigint PRIMARY KEY, occurred_at timestamptz NOT NULL);
    ```
    """

    code = "SW301"
    name = "timestamp-without-time-zone"
    severity = Severity.WARNING
    fix = ("ALTER TABLE events ALTER COLUMN occurred_at TYPE timestamptz USING occurred_at AT TIME ZONE 'UTC'; "
           "(name the zone the values were written in; rewrites the table)")
    targets = (Table,)

    def check(self, table, ctx):
        for column in columns_of(table, Kind.TIMESTAMP):
            using = None if column.type.array_dims else f"{q(column.name)} AT TIME ZONE 'UTC'"
            yield self.report(ctx, f"Column {column.name!r} is {column.type} (without time zone).",
                              at=ctx.table_path(table, column.name),
                              fix=retype(ctx, table, column, "timestamptz", using))
