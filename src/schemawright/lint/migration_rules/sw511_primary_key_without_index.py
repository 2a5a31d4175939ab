from __future__ import annotations

from pglast import ast
from pglast.enums import ConstrType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import added_constraints, display


class PrimaryKeyWithoutIndex(MigrationRule):
    """Adding a PRIMARY KEY to an existing table builds its index (and checks NOT NULL) under an exclusive lock.

    `ADD PRIMARY KEY (id)` (or `ADD COLUMN ... PRIMARY KEY`) scans the table for NULLs and builds a
    unique index while an `ACCESS EXCLUSIVE` lock blocks reads and writes. Build the index
    concurrently first and attach it with `USING INDEX`; make the columns NOT NULL beforehand the
    safe way (SW503).

    **Bad**

    ```sql
    ALTER TABLE events ADD PRIMARY KEY (id);
    ```

    **Good**

    ```sql
    CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);
    ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;
    ```
    """

    code = "SW511"
    name = "primary-key-without-index"
    severity = Severity.ERROR
    fix = "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for con, at in added_constraints(node, ConstrType.CONSTR_PRIMARY):
            if not con.indexname:
                yield self.report(ctx, f"PRIMARY KEY on the existing table {display(node.relation)} builds its index "
                                       "while an ACCESS EXCLUSIVE lock blocks reads and writes.", at=at)
