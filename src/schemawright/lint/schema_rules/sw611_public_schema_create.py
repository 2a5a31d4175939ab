from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import Namespace, SchemaRule, q


class PublicSchemaCreate(SchemaRule):
    """PUBLIC (every role) may create objects in a schema.

    A role that can create objects in a schema on other users' `search_path` can plant a function
    or operator that shadows one they call (CVE-2018-1058); PostgreSQL 15 stopped granting CREATE on
    `public` to PUBLIC for this reason, but databases created or upgraded from older releases keep
    the old grant.

    **Bad**

    ```sql
    GRANT CREATE ON SCHEMA public TO PUBLIC;    -- the default before PostgreSQL 15
    ```

    **Good**

    ```sql
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    ```
    """

    code = "SW611"
    name = "public-schema-create"
    severity = Severity.ERROR
    fix = "REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
    targets = (Namespace,)

    def check(self, namespace, ctx):
        for grant in ctx.schema.grants:
            if grant.object_type == "schema" and grant.object_name == namespace.name and \
                    grant.grantee == "PUBLIC" and "CREATE" in (p.upper() for p in grant.privileges):
                yield self.report(ctx, f"Every role may create objects in schema {namespace.name!r}.",
                                  at=namespace.name, fix=f"REVOKE CREATE ON SCHEMA {q(namespace.name)} FROM PUBLIC;")
