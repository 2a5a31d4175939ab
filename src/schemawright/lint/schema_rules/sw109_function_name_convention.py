from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.lint.schema_rules.naming import matches
from schemawright.model.schema import Function


class FunctionNameConvention(SchemaRule):
    """A function name does not follow the convention (seed 004: `fn_<name>`).

    A prefix keeps your functions apart from PostgreSQL's and extensions' (no accidental overload of
    `lower()` or `similarity()`) and makes them easy to find. The pattern is
    `naming: {function: "fn_*"}`; set it to `"*"` to turn the check off.

    **Bad**

    ```sql
    CREATE FUNCTION calculate_total(p_order bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT 0 $$;
    ```

    **Good**

    ```sql
    CREATE FUNCTION fn_calculate_total(p_order bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT 0 $$;
    ```
    """

    code = "SW109"
    name = "function-name-convention"
    severity = Severity.INFO
    fix = "Rename the function: ALTER FUNCTION calculate_total(bigint) RENAME TO fn_calculate_total;"
    targets = (Function,)

    def check(self, function, ctx):
        pattern = ctx.settings.naming.function
        if not matches(function.name, pattern):
            better = pattern.replace("*", function.name, 1).replace("*", "")
            yield self.report(ctx, f"Function {function.name!r} does not match the naming pattern {pattern!r}.",
                              at=ctx.function_path(function),
                              fix=f"ALTER FUNCTION {ctx.sql_name(function.schema, function.name)}"
                                  f"({function.arguments}) RENAME TO {q(better)};")
