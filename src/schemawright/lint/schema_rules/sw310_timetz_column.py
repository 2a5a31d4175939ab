from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.lint.schema_rules.types import columns_of, retype
from schemawright.model.schema import Table
from schemawright.model.types import Kind


class TimetzColumn(SchemaRule):
    """A column is `time with time zone` (`timetz`), a type the PostgreSQL manual advises against.

    A time of day with an offset but no date cannot account for daylight-saving changes, so its
    meaning is ambiguous; the manual says it "exists for SQL compliance" and recommends `timestamptz`
    for instants or `time` plus a time-zone name for recurring local times.

    **Bad**

    ```sql
    CREATE TABLE shops (id bigint PRIMARY KEY, opens_at timetz NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE shops (id bigint PRIMARY KEY, opens_at time NOT NULL, time_zone text NOT NULL);
    ```
    """

    code = "SW310"
    name = "timetz-column"
    severity = Severity.WARNING
    fix = "ALTER TABLE shops ALTER COLUMN opens_at TYPE time;  -- and store the zone name in its own column"
    targets = (Table,)

    def check(self, table, ctx):
        for column in columns_of(table, Kind.TIMETZ):
            yield self.report(ctx, f"Column {column.name!r} is {column.type}: a time of day with a fixed offset.",
                              at=ctx.table_path(table, column.name), fix=retype(ctx, table, column, "time"))
