from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table


class PolicyWithoutRls(SchemaRule):
    """A table has row-level security policies, but row-level security is not enabled on it.

    Policies do nothing until `ALTER TABLE ... ENABLE ROW LEVEL SECURITY`: the table looks protected
    in review (the policies are right there) while every role with a privilege reads and writes
    every row.

    **Bad**

    ```sql
    CREATE TABLE posts (id bigint PRIMARY KEY, author_id uuid);
    CREATE POLICY posts_own ON posts USING (author_id = current_setting('app.user_id')::uuid);
    ```

    **Good**

    ```sql
    ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
    ```
    """

    code = "SW602"
    name = "policy-without-rls"
    severity = Severity.ERROR
    fix = "ALTER TABLE posts ENABLE ROW LEVEL SECURITY;"
    targets = (Table,)

    def check(self, table, ctx):
        policies = ctx.policies_of(table)
        if policies and not table.rls_enabled:
            names = ", ".join(p.name for p in policies)
            yield self.report(ctx, f"Table {table.name!r} has policies ({names}) but row-level security is "
                                   "disabled, so they are not applied.", at=ctx.table_path(table),
                              fix=f"ALTER TABLE {ctx.table_sql(table)} ENABLE ROW LEVEL SECURITY;")
