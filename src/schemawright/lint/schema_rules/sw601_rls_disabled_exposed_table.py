from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Table


class RlsDisabledExposedTable(SchemaRule):
    """A table readable by PUBLIC or an API role (`anon`, `authenticated`) has row-level security off.

    Whoever holds the role reads every row: with PostgREST, Supabase or any API that connects as
    such a role, that is the whole table on the internet. Enable row-level security and write
    policies for the rows each role may see, or revoke the privilege. The roles checked are PUBLIC
    and `exposed_roles` (default `anon`, `authenticated`, when they exist).

    **Bad**

    ```sql
    CREATE TABLE profiles (id uuid PRIMARY KEY, email text);
    GRANT SELECT ON profiles TO anon;
    ```

    **Good**

    ```sql
    ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
    CREATE POLICY profiles_select_own ON profiles FOR SELECT TO anon USING (id = auth.uid());
    ```
    """

    code = "SW601"
    name = "rls-disabled-exposed-table"
    severity = Severity.ERROR
    fix = "ALTER TABLE profiles ENABLE ROW LEVEL SECURITY; then CREATE POLICY ... (or REVOKE SELECT ... FROM anon)"
    targets = (Table,)

    def check(self, table, ctx):
        if table.rls_enabled:
            return
        readers = ctx.readers(table.schema, table.name)
        if readers:
            tbl, roles = ctx.table_sql(table), ", ".join(q(r) if r != "PUBLIC" else r for r in readers)
            yield self.report(ctx, f"Table {table.name!r} is readable by {', '.join(readers)} and has row-level "
                                   "security disabled: every row is visible to them.", at=ctx.table_path(table),
                              fix=f"ALTER TABLE {tbl} ENABLE ROW LEVEL SECURITY;\n-- then a policy per role, or:\n"
                                  f"REVOKE SELECT ON {tbl} FROM {roles};")
