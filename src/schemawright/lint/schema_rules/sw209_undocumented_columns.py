from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Table


class UndocumentedColumns(SchemaRule):
    """Columns of a table have no comment (one finding per table, listing them).

    Seed 004's data dictionary describes every column: units (`cents` or `euros`?), time zones,
    what NULL means, where a value comes from. `COMMENT ON COLUMN` keeps that next to the column.
    The key column `id` is exempt.

    **Bad**

    ```sql
    CREATE TABLE payments (id bigint PRIMARY KEY, amount integer NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE payments (id bigint PRIMARY KEY, amount integer NOT NULL);
    COMMENT ON COLUMN payments.amount IS 'Amount charged, in cents of the order currency';
    ```
    """

    code = "SW209"
    name = "undocumented-columns"
    severity = Severity.INFO
    fix = "COMMENT ON COLUMN payments.amount IS 'Amount charged, in cents of the order currency';"
    targets = (Table,)

    def check(self, table, ctx):
        missing = [c.name for c in table.columns if not (c.comment or "").strip() and c.name != "id"]
        if missing:
            shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
            fix = "\n".join(f"COMMENT ON COLUMN {ctx.table_sql(table)}.{q(c)} IS '...';" for c in missing)
            yield self.report(ctx, f"{len(missing)} of {len(table.columns)} columns of {table.name!r} have no "
                                   f"comment: {shown}.", at=ctx.table_path(table), fix=fix)
