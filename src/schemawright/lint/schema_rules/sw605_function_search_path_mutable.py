from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule
from schemawright.model.schema import Function


class FunctionSearchPathMutable(SchemaRule):
    """A (SECURITY INVOKER) function does not pin its `search_path`, so its meaning depends on the caller's.

    An unqualified table or function name in the body resolves through the session's `search_path`:
    the function can behave differently per role or per connection setting, and a privileged caller
    (a migration, a cron job, a SECURITY DEFINER function calling it) can be tricked into running
    another schema's object. Pin the path (`SET search_path = ''` with qualified names in the body is
    the strictest). SECURITY DEFINER functions are SW604, an error.

    **Bad**

    ```sql
    CREATE FUNCTION fn_total(p_order bigint) RETURNS numeric LANGUAGE sql
        AS $$ SELECT sum(amount) FROM order_items WHERE order_id = p_order $$;
    ```

    **Good**

    ```sql
    CREATE FUNCTION fn_total(p_order bigint) RETURNS numeric LANGUAGE sql SET search_path = ''
        AS $$ SELECT sum(amount) FROM public.order_items WHERE order_id = p_order $$;
    ```
    """

    code = "SW605"
    name = "function-search-path-mutable"
    severity = Severity.INFO
    fix = "ALTER FUNCTION fn_total(bigint) SET search_path = '';  (and schema-qualify the names in the body)"
    targets = (Function,)
    needs = "catalog"

    def check(self, function, ctx):
        facts = ctx.function_facts(function)
        if facts is not None and not facts.security_definer and facts.search_path is None:
            yield self.report(ctx, f"Function {function.name}({function.arguments}) resolves names through the "
                                   "caller's search_path.", at=ctx.function_path(function),
                              fix=f"ALTER FUNCTION {ctx.sql_name(function.schema, function.name)}"
                                  f"({function.arguments}) SET search_path = '';")
