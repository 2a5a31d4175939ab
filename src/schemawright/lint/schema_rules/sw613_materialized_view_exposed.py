from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import View


class MaterializedViewExposed(SchemaRule):
    """A materialized view is readable by PUBLIC or an API role.

    A materialized view is a stored copy of its query's result: row-level security does not apply
    to it (it cannot be enabled on one) and it cannot run as the invoker, so every reader sees every
    row the owner saw when it was refreshed. Keep it out of reach of API roles, or expose it through
    a function or view that filters it.

    **Bad**

    ```sql
    CREATE MATERIALIZED VIEW mv_sales AS SELECT customer_id, sum(total) FROM orders GROUP BY 1;
    GRANT SELECT ON mv_sales TO anon;
    ```

    **Good**

    ```sql
    REVOKE SELECT ON mv_sales FROM anon, authenticated, PUBLIC;
    ```
    """

    code = "SW613"
    name = "materialized-view-exposed"
    severity = Severity.WARNING
    fix = "REVOKE SELECT ON mv_sales FROM PUBLIC, anon, authenticated;"
    targets = (View,)

    def check(self, view, ctx):
        if not view.materialized:
            return
        readers = ctx.readers(view.schema, view.name)
        if readers:
            roles = ", ".join(r if r == "PUBLIC" else q(r) for r in readers)
            yield self.report(ctx, f"Materialized view {view.name!r} is readable by {', '.join(readers)}; "
                                   "row-level security cannot protect it.", at=ctx.path(view.schema, view.name),
                              fix=f"REVOKE SELECT ON {ctx.sql_name(view.schema, view.name)} FROM {roles};")
