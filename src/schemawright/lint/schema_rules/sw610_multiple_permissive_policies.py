from __future__ import annotations

from collections import defaultdict

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Table

_COMMANDS = ("SELECT", "INSERT", "UPDATE", "DELETE")


class MultiplePermissivePolicies(SchemaRule):
    """Several permissive policies apply to the same role and command on one table.

    Permissive policies are OR-ed: PostgreSQL evaluates every one of them for every row, so two
    policies cost twice, and the effective rule is spread over several places where a reviewer
    easily misses that one of them is wider than intended. Merge them into one policy per role and
    command (or make the extra conditions RESTRICTIVE).

    **Bad**

    ```sql
    CREATE POLICY posts_own ON posts FOR SELECT TO authenticated USING (author_id = auth.uid());
    CREATE POLICY posts_published ON posts FOR SELECT TO authenticated USING (published);
    ```

    **Good**

    ```sql
    CREATE POLICY posts_select ON posts FOR SELECT TO authenticated
        USING (author_id = auth.uid() OR published);
    ```
    """

    code = "SW610"
    name = "multiple-permissive-policies"
    severity = Severity.INFO
    fix = "Merge the conditions into one policy: CREATE POLICY posts_select ON posts FOR SELECT USING (a OR b);"
    targets = (Table,)

    def check(self, table, ctx):
        applying: dict[tuple[str, str], list[str]] = defaultdict(list)
        for policy in ctx.policies_of(table):
            if not policy.permissive:
                continue
            commands = _COMMANDS if policy.command == "ALL" else (policy.command,)
            for role in policy.roles or ("PUBLIC",):
                for command in commands:
                    applying[(role, command)].append(policy.name)
        for (role, command), names in sorted(applying.items()):
            if len(names) > 1:
                yield self.report(ctx, f"Table {table.name!r} has {len(names)} permissive {command} policies for "
                                       f"{role}: {', '.join(names)}.", at=ctx.table_path(table),
                                  fix=f"-- merge {', '.join(names)} into one {command} policy for {role} "
                                      "(their USING conditions OR-ed), then DROP POLICY the others")
