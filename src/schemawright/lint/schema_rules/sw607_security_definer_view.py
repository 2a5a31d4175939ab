from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import View


class SecurityDefinerView(SchemaRule):
    """A view readable by PUBLIC or an API role runs with its owner's rights (no `security_invoker`).

    By default a view reads its tables with the privileges of the view's owner, and row-level
    security is checked against the owner, not the caller: a view created by a superuser or the
    table owner shows an `anon` caller every row the RLS policies would have hidden. On PostgreSQL
    15+ set `security_invoker = on` so the caller's privileges and policies apply. Views meant to
    expose a filtered or masked subset on purpose can be suppressed with a comment marker.

    **Bad**

    ```sql
    CREATE VIEW vw_profiles AS SELECT * FROM profiles;      -- profiles has RLS
    GRANT SELECT ON vw_profiles TO anon;
    ```

    **Good**

    ```sql
    CREATE VIEW vw_profiles WITH (security_invoker = on) AS SELECT * FROM profiles;
    ```
    """

    code = "SW607"
    name = "security-definer-view"
    severity = Severity.WARNING
    fix = "ALTER VIEW vw_profiles SET (security_invoker = on);"
    targets = (View,)
    needs = "catalog"

    def check(self, view, ctx):
        facts = ctx.relation_facts(view.schema, view.name)
        if view.materialized or facts is None or ctx.catalog.server_version < 150000 or facts.security_invoker:
            return
        readers = ctx.readers(view.schema, view.name)
        if readers:
            yield self.report(ctx, f"View {view.name!r} is readable by {', '.join(readers)} and runs with its "
                                   "owner's privileges and row-level security context.",
                              at=ctx.path(view.schema, view.name),
                              fix=f"ALTER VIEW {ctx.sql_name(view.schema, view.name)} SET (security_invoker = on);")
