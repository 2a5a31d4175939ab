from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.lint.schema_rules.naming import expected_name, matches
from schemawright.model.schema import Table


class TriggerNameConvention(SchemaRule):
    """A trigger name does not follow the convention (seed 004: `trg_<table>_<timing>_<event>`).

    Triggers fire in alphabetical order of their names, and their names appear in error contexts;
    a name with the table and the purpose (`trg_users_updated_at`) says what runs and why. The
    pattern is `naming: {trigger: "trg_{table}_*"}`.

    **Bad**

    ```sql
    CREATE TRIGGER set_timestamp BEFORE UPDATE ON users
        FOR EACH ROW EXECUTE FUNCTION fn_update_timestamp();
    ```

    **Good**

    ```sql
    CREATE TRIGGER trg_users_updated_at BEFORE UPDATE ON users
        FOR EACH ROW EXECUTE FUNCTION fn_update_timestamp();
    ```
    """

    code = "SW110"
    name = "trigger-name-convention"
    severity = Severity.INFO
    fix = "Rename the trigger: ALTER TRIGGER set_timestamp ON users RENAME TO trg_users_updated_at;"
    targets = (Table,)

    def check(self, table, ctx):
        pattern = ctx.settings.naming.trigger
        for trigger in table.triggers:
            if not matches(trigger.name, pattern, table):
                words = (trigger.timing.lower().replace(" ", "_"), *(e.lower() for e in trigger.events))
                better = expected_name(pattern, table, words)
                yield self.report(ctx, f"Trigger {trigger.name!r} does not match the naming pattern {pattern!r}.",
                                  at=ctx.table_path(table, trigger.name),
                                  fix=f"ALTER TRIGGER {q(trigger.name)} ON {ctx.table_sql(table)} "
                                      f"RENAME TO {q(better)};")
