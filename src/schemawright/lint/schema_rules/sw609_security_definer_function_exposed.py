from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Function


class SecurityDefinerFunctionExposed(SchemaRule):
    """A SECURITY DEFINER function may be executed by PUBLIC or an API role (`anon`, `authenticated`).

    PostgreSQL grants EXECUTE on every new function to PUBLIC. A SECURITY DEFINER function runs with
    its owner's rights, bypassing the caller's privileges and row-level security; callable by
    everyone (and, through PostgREST's `/rpc`, by the internet) it is a privilege escalation unless
    it checks the caller itself. Revoke EXECUTE from PUBLIC and grant it to the roles that need it.
    Trigger functions cannot be called directly and are not checked.

    **Bad**

    ```sql
    CREATE FUNCTION fn_delete_user(p_id bigint) RETURNS void LANGUAGE sql SECURITY DEFINER
        SET search_path = '' AS $$ DELETE FROM public.users WHERE id = p_id $$;
    ```

    **Good**

    ```sql
    REVOKE EXECUTE ON FUNCTION fn_delete_user(bigint) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION fn_delete_user(bigint) TO app_admin;
    ```
    """

    code = "SW609"
    name = "security-definer-function-exposed"
    severity = Severity.WARNING
    fix = "REVOKE EXECUTE ON FUNCTION fn_delete_user(bigint) FROM PUBLIC, anon, authenticated;"
    targets = (Function,)

    def check(self, function, ctx):
        facts = ctx.function_facts(function)
        definer = facts.security_definer if facts is not None else function.security_definer
        if not definer or function.returns.strip().lower() in ("trigger", "event_trigger"):
            return
        executors = ctx.executors(function)
        if executors:
            roles = ", ".join(r if r == "PUBLIC" else q(r) for r in executors)
            yield self.report(ctx, f"SECURITY DEFINER function {function.name}({function.arguments}) can be executed "
                                   f"by {', '.join(executors)}.", at=ctx.function_path(function),
                              fix=f"REVOKE EXECUTE ON FUNCTION {ctx.sql_name(function.schema, function.name)}"
                                  f"({function.arguments}) FROM {roles};")
