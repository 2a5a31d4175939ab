from __future__ import annotations

import re

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.names import SNAKE_RE, to_snake
from schemawright.model.schema import EnumType, Function, Table, View


class IdentifierNotSnakeCase(SchemaRule):
    """A table, column, view, function or type name is not lower-case snake_case.

    PostgreSQL folds unquoted names to lower case, so `OrderItems` or `firstName` must be written with
    double quotes in every query, forever, and a forgotten pair of quotes names another object (or
    none). Seed 004's convention is snake_case for every name: `order_items`, `first_name`.

    **Bad**

    ```sql
    CREATE TABLE "OrderItems" ("orderId" bigint, "Quantity" integer);
    ```

    **Good**

    ```sql
    CREATE TABLE order_items (order_id bigint, quantity integer);
    ```
    """

    code = "SW101"
    name = "identifier-not-snake-case"
    severity = Severity.WARNING
    fix = "Rename the object to lower-case snake_case: ALTER TABLE \"OrderItems\" RENAME TO order_items;"
    targets = (Table, View, Function, EnumType)

    def check(self, obj, ctx):
        if not SNAKE_RE.match(obj.name):
            kind = {Table: "TABLE", View: "VIEW", Function: "FUNCTION", EnumType: "TYPE"}[type(obj)]
            if isinstance(obj, View) and obj.materialized:
                kind = "MATERIALIZED VIEW"
            target = ctx.sql_name(obj.schema, obj.name) + (f"({obj.arguments})" if isinstance(obj, Function) else "")
            path = ctx.function_path(obj) if isinstance(obj, Function) else ctx.path(obj.schema, obj.name)
            yield self.report(ctx, f"{kind.title()} name {obj.name!r} is not snake_case: every query must quote it.",
                              at=path, fix=f"ALTER {kind} {target} RENAME TO {q(_snake(obj.name))};")
        if isinstance(obj, Table):
            for column in obj.columns:
                if not SNAKE_RE.match(column.name):
                    yield self.report(
                        ctx, f"Column name {column.name!r} is not snake_case: every query must quote it.",
                        at=ctx.table_path(obj, column.name),
                        fix=f"ALTER TABLE {ctx.table_sql(obj)} RENAME COLUMN {q(column.name)} TO "
                            f"{q(_snake(column.name))};")


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", to_snake(name)).strip("_") or "renamed"
