from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import MONEY_NAME, SchemaRule
from schemawright.lint.schema_rules.types import columns_of, retype
from schemawright.model.schema import Table
from schemawright.model.types import Kind


class FloatForMoney(SchemaRule):
    """A monetary column (`price`, `amount`, `total`...) is a binary floating-point type (`real`, `double precision`).

    Floating point cannot represent 0.10 exactly: sums drift (`0.1 + 0.2 = 0.30000000000000004`),
    equal amounts compare unequal, and rounding differs between the database and the application.
    Money needs exact decimal arithmetic: `numeric(p, s)`, or an integer count of the smallest unit.

    **Bad**

    ```sql
    CREATE TABLE products (id bigint PRIMARY KEY, price double precision NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE products (id bigint PRIMARY KEY, price numeric(12,2) NOT NULL);
    ```
    """

    code = "SW303"
    name = "float-for-money"
    severity = Severity.ERROR
    fix = "ALTER TABLE products ALTER COLUMN price TYPE numeric(12,2);"
    targets = (Table,)

    def check(self, table, ctx):
        for column in columns_of(table, Kind.REAL, Kind.DOUBLE):
            if MONEY_NAME.search(column.name):
                yield self.report(ctx, f"Monetary column {column.name!r} is {column.type}: amounts will not add up "
                                       "exactly.", at=ctx.table_path(table, column.name),
                                  fix=retype(ctx, table, column, "numeric(12,2)"))
