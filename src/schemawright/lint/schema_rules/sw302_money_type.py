from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.lint.schema_rules.types import columns_of, retype
from schemawright.model.schema import Table
from schemawright.model.types import Kind


class MoneyType(SchemaRule):
    """A column uses the `money` type.

    `money` formats and parses according to the server's `lc_monetary` setting: a dump restored on a
    server with another locale reads different amounts, it has a fixed two-digit fraction (no yen,
    no crypto, no unit prices with more digits), and it stores no currency. The PostgreSQL wiki's
    "Don't Do This" lists it. Use `numeric(p, s)` (plus a currency column when there are several).

    **Bad**

    ```sql
    CREATE TABLE invoices (id bigint PRIMARY KEY, total money NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE invoices (id bigint PRIMARY KEY, total numeric(12,2) NOT NULL, currency char(3) NOT NULL);
    ```
    """

    code = "SW302"
    name = "money-type"
    severity = Severity.WARNING
    fix = "ALTER TABLE invoices ALTER COLUMN total TYPE numeric(12,2);"
    targets = (Table,)

    def check(self, table, ctx):
        for column in columns_of(table, Kind.MONEY):
            yield self.report(ctx, f"Column {column.name!r} is money: its meaning depends on lc_monetary.",
                              at=ctx.table_path(table, column.name), fix=retype(ctx, table, column, "numeric(12,2)"))
