from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table


class TransitiveDependency(SchemaRule):
    """A table copies a column of the table it references (a transitive dependency: not in third normal form).

    `orders.customer_id` references `customers`, and `orders.customer_email` repeats
    `customers.email`: the copy depends on `customer_id`, not on the order's key, so it goes stale
    when the customer changes e-mail, and each copy must be updated. Read it through the foreign
    key (a join or a view) instead; keep a copy only as a deliberate snapshot (an order's shipping
    address at the time of the order), and then say so in the column's comment.

    **Bad**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id),
                         customer_email text);
    ```

    **Good**

    ```sql
    CREATE VIEW order_details AS
        SELECT o.*, c.email AS customer_email FROM orders o JOIN customers c ON c.id = o.customer_id;
    ```
    """

    code = "SW213"
    name = "transitive-dependency"
    severity = Severity.INFO
    fix = "Drop the copy and read it through the foreign key (a join or a view)"
    targets = (Table,)

    def check(self, table, ctx):
        for fk in table.foreign_keys:
            if len(fk.columns) != 1 or not fk.columns[0].endswith("_id"):
                continue
            target = ctx.table(fk.ref_schema or table.schema, fk.ref_table)
            if target is None or target is table:
                continue
            prefix = fk.columns[0].removesuffix("id")
            target_columns = {c.name for c in target.columns} - set(target.primary_key.columns
                                                                     if target.primary_key else ())
            for column in table.columns:
                if not column.name.startswith(prefix) or column.name == fk.columns[0]:
                    continue
                copied = column.name.removeprefix(prefix)
                if copied not in target_columns or (column.comment and "snapshot" in column.comment.lower()):
                    continue
                yield self.report(ctx, f"Column {table.name}.{column.name} copies {target.name}.{copied}, which "
                                       f"depends on {fk.columns[0]} rather than on the key of {table.name}: a "
                                       "transitive dependency.",
                                  at=ctx.table_path(table, column.name))
