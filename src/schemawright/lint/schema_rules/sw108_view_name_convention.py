from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.lint.schema_rules.naming import matches
from schemawright.model.schema import View


class ViewNameConvention(SchemaRule):
    """A view name does not follow the convention (seed 004: `vw_<name>`).

    A prefix tells readers of a query that they are reading a view (which may be slow, may filter
    rows, and cannot always be written to) rather than a table. The pattern is
    `naming: {view: "vw_*"}`; set it to `"*"` to turn the check off.

    **Bad**

    ```sql
    CREATE VIEW active_users AS SELECT * FROM users WHERE deleted_at IS NULL;
    ```

    **Good**

    ```sql
    CREATE VIEW vw_active_users AS SELECT * FROM users WHERE deleted_at IS NULL;
    ```
    """

    code = "SW108"
    name = "view-name-convention"
    severity = Severity.INFO
    fix = "Rename the view: ALTER VIEW active_users RENAME TO vw_active_users;"
    targets = (View,)

    def check(self, view, ctx):
        pattern = ctx.settings.naming.view
        if not matches(view.name, pattern):
            kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
            better = pattern.replace("*", view.name, 1).replace("*", "")
            yield self.report(ctx, f"View {view.name!r} does not match the naming pattern {pattern!r}.",
                              at=ctx.path(view.schema, view.name),
                              fix=f"ALTER {kind} {ctx.sql_name(view.schema, view.name)} RENAME TO {q(better)};")
