from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Policy

_TRUE = {"true", "(true)", "1 = 1", "(1 = 1)"}


class PolicyAlwaysTrue(SchemaRule):
    """A permissive write policy for PUBLIC or an API role is always true (`USING (true)`, `WITH CHECK (true)`).

    A policy for INSERT, UPDATE, DELETE or ALL whose condition is constantly true (an INSERT policy
    without WITH CHECK included) makes row-level security a no-op for writes: anyone holding the role
    can modify or delete any row. Policies for PUBLIC and the `exposed_roles` (default `anon`,
    `authenticated`) on tables with row-level security enabled are checked; `USING (true)` on SELECT
    is a common, deliberate "public read", and internal roles (an admin role) may see everything.

    **Bad**

    ```sql
    CREATE POLICY posts_update ON posts FOR UPDATE TO authenticated USING (true);
    ```

    **Good**

    ```sql
    CREATE POLICY posts_update ON posts FOR UPDATE TO authenticated
        USING (author_id = auth.uid()) WITH CHECK (author_id = auth.uid());
    ```
    """

    code = "SW608"
    name = "policy-always-true"
    severity = Severity.WARNING
    fix = "ALTER POLICY posts_update ON posts USING (author_id = auth.uid()) WITH CHECK (author_id = auth.uid());"
    targets = (Policy,)

    def check(self, policy, ctx):
        if not policy.permissive or policy.command == "SELECT":
            return
        table = ctx.table(policy.schema, policy.table)
        if table is None or not table.rls_enabled or not (set(policy.roles or ("PUBLIC",)) & set(ctx.exposed_roles)):
            return  # RLS off is SW602; policies for internal roles (admins) may rightly see everything
        using = _is_true(policy.using) and policy.command in ("UPDATE", "DELETE", "ALL")
        open_insert = policy.command == "INSERT" and policy.with_check is None  # no WITH CHECK: any row
        checks = (_is_true(policy.with_check) or open_insert) and policy.command in ("INSERT", "UPDATE", "ALL")
        if using or checks:
            clause = "USING (true)" if using else "WITH CHECK (true)"
            roles = ", ".join(policy.roles) or "PUBLIC"
            yield self.report(ctx, f"Policy {policy.name!r} on {policy.table} ({policy.command} to {roles}) is "
                                   f"{clause}: it allows every row.",
                              at=ctx.path(policy.schema, policy.table, policy.name),
                              fix=f"ALTER POLICY {q(policy.name)} ON {ctx.sql_name(policy.schema, policy.table)} "
                                  f"{'USING' if using else 'WITH CHECK'} (/* the rows this role may change */ false);")


def _is_true(expr) -> bool:
    return expr is not None and " ".join(str(expr).lower().split()) in _TRUE
