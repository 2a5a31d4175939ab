from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.lint.schema_rules.types import retype
from schemawright.model.schema import Table
from schemawright.model.types import Kind

# OID-alias types pg_upgrade refuses in user tables (their OIDs are not preserved across versions).
UNSUPPORTED = {"regcollation", "regconfig", "regdictionary", "regnamespace", "regoper", "regoperator", "regproc",
               "regprocedure"}


class UnsupportedRegType(SchemaRule):
    """A column stores an OID alias type (`regproc`, `regoper`, `regconfig`...) that blocks `pg_upgrade`.

    These types store object OIDs, which `pg_upgrade` does not preserve, so it refuses to upgrade a
    cluster whose user tables contain them (`regclass`, `regrole` and `regtype` are allowed). Store
    the object's name as text instead, and cast when needed.

    **Bad**

    ```sql
    CREATE TABLE search_configs (id bigint PRIMARY KEY, config regconfig NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE search_configs (id bigint PRIMARY KEY, config text NOT NULL);  -- config::regconfig when used
    ```
    """

    code = "SW309"
    name = "unsupported-reg-type"
    severity = Severity.WARNING
    fix = "ALTER TABLE search_configs ALTER COLUMN config TYPE text USING config::text;"
    targets = (Table,)

    def check(self, table, ctx):
        for column in table.columns:
            base = (column.type.name or "").removesuffix("[]").strip()
            if column.type.kind == Kind.OTHER and base in UNSUPPORTED:
                yield self.report(ctx, f"Column {column.name!r} is {base}: pg_upgrade cannot upgrade a database "
                                       "with it.", at=ctx.table_path(table, column.name),
                                  fix=retype(ctx, table, column, "text", f"{q(column.name)}::text"))
