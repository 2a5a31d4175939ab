from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Table


class RlsWithoutPolicy(SchemaRule):
    """Row-level security is enabled on a table that has no policy, so it denies every row to everyone but its owner.

    With RLS on and no policy, PostgreSQL applies a default-deny: roles other than the owner (and
    superusers or BYPASSRLS roles) see no rows and can change none. That is sometimes intended (a
    table only reachable through SECURITY DEFINER functions), but more often a policy was forgotten.

    **Bad**

    ```sql
    ALTER TABLE notes ENABLE ROW LEVEL SECURITY;   -- and no CREATE POLICY
    ```

    **Good**

    ```sql
    ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY notes_owner ON notes USING (owner_id = current_setting('app.user_id')::bigint);
    ```
    """

    code = "SW603"
    name = "rls-without-policy"
    severity = Severity.INFO
    fix = "CREATE POLICY notes_owner ON notes USING (owner_id = current_setting('app.user_id')::bigint);"
    targets = (Table,)

    def check(self, table, ctx):
        if table.rls_enabled and not ctx.policies_of(table):
            yield self.report(ctx, f"Table {table.name!r} has row-level security enabled and no policy: only its "
                                   "owner sees any row.", at=ctx.table_path(table),
                              fix=f"CREATE POLICY {q(table.name + '_select')} ON {ctx.table_sql(table)} FOR SELECT "
                                  "USING (/* the rows a role may see */ false);")
