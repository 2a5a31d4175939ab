from __future__ import annotations

from pglast import ast
from pglast.enums import ConstrType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import added_constraints, display


class UniqueConstraintWithoutIndex(MigrationRule):
    """Adding a UNIQUE constraint builds its index while an ACCESS EXCLUSIVE lock blocks the table.

    `ADD CONSTRAINT ... UNIQUE (col)` (or `ADD COLUMN ... UNIQUE`) builds a unique index with reads and
    writes blocked for the whole build. Build the index first with `CREATE UNIQUE INDEX CONCURRENTLY`,
    then attach it: `ADD CONSTRAINT ... UNIQUE USING INDEX` only updates the catalog.

    **Bad**

    ```sql
    ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
    ```

    **Good**

    ```sql
    CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
    ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
    ```
    """

    code = "SW510"
    name = "unique-constraint-without-index"
    severity = Severity.ERROR
    fix = "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for con, at in added_constraints(node, ConstrType.CONSTR_UNIQUE):
            if not con.indexname:
                yield self.report(ctx, f"UNIQUE constraint on the existing table {display(node.relation)} builds its "
                                       "index while an ACCESS EXCLUSIVE lock blocks reads and writes.", at=at)
