from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.lint.schema_rules.types import columns_of, retype
from schemawright.model.schema import Table
from schemawright.model.types import Kind


class VarcharHabitLength(SchemaRule):
    """A column is `varchar(255)`: a length chosen by habit (MySQL's old index limit), not by the data.

    In PostgreSQL a length limit is a business rule, not a storage optimisation: `text` and
    `varchar(n)` are stored the same way. 255 documents nothing (is a 300-character street name an
    error?), yet rejects valid data and needs a migration to change. Use `text`, or a length that
    comes from the domain (`varchar(2)` for ISO country codes, a CHECK on email length).
    The lengths flagged are `thresholds: {varchar_habit_lengths: [255]}`.

    **Bad**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY, display_name varchar(255));
    ```

    **Good**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY, display_name text CHECK (length(display_name) <= 100));
    ```
    """

    code = "SW306"
    name = "varchar-habit-length"
    severity = Severity.INFO
    fix = "ALTER TABLE users ALTER COLUMN display_name TYPE text;  (no rewrite: varchar -> text is binary-compatible)"
    targets = (Table,)

    def check(self, table, ctx):
        lengths = ctx.settings.thresholds.varchar_habit_lengths
        for column in columns_of(table, Kind.VARCHAR):
            if column.type.length in lengths:
                yield self.report(ctx, f"Column {column.name!r} is {column.type}: a habitual limit, not a rule "
                                       "of the data.", at=ctx.table_path(table, column.name),
                                  fix=retype(ctx, table, column, "text"))
