from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.lint.schema_rules.types import columns_of, retype
from schemawright.model.schema import Table
from schemawright.model.types import Kind


class CharColumn(SchemaRule):
    """A column is `char(n)` (`character`): values are padded with spaces.

    `char(n)` pads to n characters and ignores trailing spaces in some comparisons but not in others
    (`LIKE`, regular expressions, concatenation with text), and it is no faster or smaller than
    `text` in PostgreSQL. Use `text` or `varchar(n)`, with a CHECK on the length when it matters
    (`CHECK (length(code) = 3)`).

    **Bad**

    ```sql
    CREATE TABLE countries (code char(2) PRIMARY KEY, name char(60) NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE countries (code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'), name text NOT NULL);
    ```
    """

    code = "SW304"
    name = "char-column"
    severity = Severity.WARNING
    fix = "ALTER TABLE countries ALTER COLUMN name TYPE text USING rtrim(name);"
    targets = (Table,)

    def check(self, table, ctx):
        for column in columns_of(table, Kind.CHAR):
            using = None if column.type.array_dims else f"rtrim({q(column.name)})"
            yield self.report(ctx, f"Column {column.name!r} is {column.type}: values are blank-padded.",
                              at=ctx.table_path(table, column.name), fix=retype(ctx, table, column, "text", using))
