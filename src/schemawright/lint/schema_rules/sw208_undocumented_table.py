from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table, View


class UndocumentedTable(SchemaRule):
    """A table or view has no comment.

    Seed 004: "No Documentation: Document everything". `COMMENT ON` keeps the description next to
    the object, where `\\d+`, every database IDE, the data dictionary generator and the next
    engineer find it; a wiki page drifts.

    **Bad**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY);
    ```

    **Good**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY);
    COMMENT ON TABLE orders IS 'One customer purchase; lines are in order_items.';
    ```
    """

    code = "SW208"
    name = "undocumented-table"
    severity = Severity.INFO
    fix = "COMMENT ON TABLE orders IS 'What one row is, who writes it, how long it is kept.';"
    targets = (Table, View)

    def check(self, obj, ctx):
        if not (obj.comment or "").strip():
            kind = "TABLE" if isinstance(obj, Table) else "MATERIALIZED VIEW" if obj.materialized else "VIEW"
            yield self.report(ctx, f"{kind.title()} {obj.name!r} has no comment.", at=ctx.path(obj.schema, obj.name),
                              fix=f"COMMENT ON {kind} {ctx.sql_name(obj.schema, obj.name)} IS '...';")
