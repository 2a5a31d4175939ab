from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Function


class SecurityDefinerSearchPath(SchemaRule):
    """A SECURITY DEFINER function does not pin its `search_path`.

    A SECURITY DEFINER function runs with its owner's privileges but resolves unqualified names
    through the caller's `search_path`. A caller who can create objects in any schema on that path
    can put a function or operator named like one the body uses in front of it and run their own
    code as the owner. The PostgreSQL manual ("Writing SECURITY DEFINER Functions Safely") says to
    always set `search_path`, with `pg_temp` last.

    **Bad**

    ```sql
    CREATE FUNCTION fn_erase_user(p_id bigint) RETURNS void LANGUAGE sql SECURITY DEFINER
        AS $$ DELETE FROM users WHERE id = p_id $$;
    ```

    **Good**

    ```sql
    CREATE FUNCTION fn_erase_user(p_id bigint) RETURNS void LANGUAGE sql SECURITY DEFINER
        SET search_path = pg_catalog, public, pg_temp
        AS $$ DELETE FROM public.users WHERE id = p_id $$;
    ```
    """

    code = "SW604"
    name = "security-definer-search-path"
    severity = Severity.ERROR
    fix = "ALTER FUNCTION fn_erase_user(bigint) SET search_path = pg_catalog, public, pg_temp;"
    targets = (Function,)
    needs = "catalog"

    def check(self, function, ctx):
        facts = ctx.function_facts(function)
        if facts is not None and facts.security_definer and facts.search_path is None:
            yield self.report(ctx, f"SECURITY DEFINER function {function.name}({function.arguments}) runs with its "
                                   "owner's rights but the caller's search_path.", at=ctx.function_path(function),
                              fix=f"ALTER FUNCTION {ctx.sql_name(function.schema, function.name)}({function.arguments})"
                                  f" SET search_path = pg_catalog, {q(function.schema)}, pg_temp;")
