from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.names import NEEDS_QUOTES
from schemawright.model.names import singular
from schemawright.model.schema import Table, View


class ReservedWordIdentifier(SchemaRule):
    """A table, view or column is named with an SQL reserved word (`user`, `order`, `group`...).

    A reserved word only works as a name in double quotes, in every query and in every tool;
    unquoted, `SELECT user FROM t` silently returns the session user and `ORDER BY order` is a
    syntax error. Pick a name that says more: `app_user`, `purchase_order`, `user_group`.

    **Bad**

    ```sql
    CREATE TABLE "user" (id bigint PRIMARY KEY, "order" integer);
    ```

    **Good**

    ```sql
    CREATE TABLE app_users (id bigint PRIMARY KEY, sort_order integer);
    ```
    """

    code = "SW103"
    name = "reserved-word-identifier"
    severity = Severity.WARNING
    fix = "Rename the object to a non-reserved name: ALTER TABLE \"user\" RENAME TO app_users;"
    targets = (Table, View)

    def check(self, obj, ctx):
        if obj.name.lower() in NEEDS_QUOTES:
            kind = "VIEW" if isinstance(obj, View) else "TABLE"
            yield self.report(ctx, f"{kind.title()} name {obj.name!r} is a reserved word: it must be quoted "
                                   "everywhere.", at=ctx.path(obj.schema, obj.name),
                              fix=f"ALTER {kind} {ctx.sql_name(obj.schema, obj.name)} RENAME TO "
                                  f"{q(('app_' if kind == 'TABLE' else 'vw_') + obj.name.lower())};")
        for column in obj.columns if isinstance(obj, Table) else ():
            if column.name.lower() in NEEDS_QUOTES:
                yield self.report(ctx, f"Column name {column.name!r} is a reserved word: it must be quoted "
                                       "everywhere.", at=ctx.table_path(obj, column.name),
                                  fix=f"ALTER TABLE {ctx.table_sql(obj)} RENAME COLUMN {q(column.name)} TO "
                                      f"{q(singular(obj.name) + '_' + column.name.lower())};")
