from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Table


LINK_EXTRAS = frozenset({"created_at", "created_by"})  # what an append-only link row may also carry


class MissingAuditColumns(SchemaRule):
    """A table lacks the audit columns (`created_at`, `updated_at`) of seed 004's table template.

    Seed 004: "No Audit Trail: Track who changed what and when"; its template gives every table
    `created_at` and `updated_at` (`timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP`, the latter kept
    current by a trigger). Without them, "when did this row appear / last change?" has no answer
    during an incident. Link tables (every column part of the primary key, plus at most `created_at` /
    `created_by`: rows are inserted and deleted, never updated) are not checked;
    the columns required are `audit_columns` in the settings.

    **Bad**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2) NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2) NOT NULL,
                         created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
                         updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP);
    ```
    """

    code = "SW206"
    name = "missing-audit-columns"
    severity = Severity.INFO
    fix = ("ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP, "
           "ADD COLUMN updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP;")
    targets = (Table,)

    def check(self, table, ctx):
        key = table.primary_key.columns if table.primary_key else ()
        if key and all(c.name in key or c.name in LINK_EXTRAS for c in table.columns):
            return  # a link table: its rows are only ever inserted and deleted
        missing = [c for c in ctx.settings.audit_columns if not table.has_column(c)]
        if missing:
            adds = ", ".join(f"ADD COLUMN {q(c)} timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP" for c in missing)
            yield self.report(ctx, f"Table {table.name!r} has no {' / '.join(missing)} column: "
                                   "row history is unknown.", at=ctx.table_path(table),
                              fix=f"ALTER TABLE {ctx.table_sql(table)} {adds};")
