from __future__ import annotations

import re

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, checked_columns, q
from schemawright.model.schema import Table
from schemawright.model.types import TEXT_KINDS

STATUS_NAME = re.compile(r"^(status|state|type|kind|stage|phase|priority|level|role|category|tier|mode)$|"
                         r"_(status|state|type|kind|stage|phase|priority|level|role|tier|mode)$")


class UnconstrainedStatusColumn(SchemaRule):
    """A status-like text column (`status`, `order_type`...) accepts any string: no CHECK, enum or lookup table.

    Seed 004: "Hardcoded Values: Use lookup tables" and "No Constraints: Let DB enforce rules". A
    `status text` column will, sooner or later, hold `'Shipped'`, `'shipped '` and `'shiped'`, and
    every report has to guess. Constrain it with a CHECK over the allowed values, an enum type, or a
    foreign key to a lookup table (which can also carry labels and ordering).

    **Bad**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL
        CONSTRAINT chk_orders_status CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')));
    ```
    """

    code = "SW207"
    name = "unconstrained-status-column"
    severity = Severity.WARNING
    fix = ("Add a CHECK over the allowed values, or reference a lookup table: ALTER TABLE orders ADD CONSTRAINT "
           "chk_orders_status CHECK (status IN ('pending', 'paid', 'shipped'));")
    targets = (Table,)

    def check(self, table, ctx):
        constrained = checked_columns(table) | {c for fk in table.foreign_keys for c in fk.columns}
        for column in table.columns:
            if column.type.kind in TEXT_KINDS and not column.type.array_dims and \
                    STATUS_NAME.search(column.name) and column.name not in constrained:
                name = f"chk_{table.name}_{column.name}"
                yield self.report(
                    ctx, f"Column {column.name!r} holds coded values but accepts any text (no CHECK, enum or "
                         "lookup table).", at=ctx.table_path(table, column.name),
                    fix=f"ALTER TABLE {ctx.table_sql(table)} ADD CONSTRAINT {q(name)} CHECK ({q(column.name)} IN "
                        f"('value_1', 'value_2')) NOT VALID;  -- then VALIDATE CONSTRAINT {q(name)}")
