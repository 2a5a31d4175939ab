from __future__ import annotations

from pglast import ast
from pglast.enums import ConstrType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import added_constraints, display


class CheckWithoutNotValid(MigrationRule):
    """Adding a CHECK constraint to an existing table scans every row under an ACCESS EXCLUSIVE lock.

    Reads and writes wait while PostgreSQL verifies the condition on the whole table. Added
    `NOT VALID`, the check applies to new writes at once and a later `VALIDATE CONSTRAINT` verifies
    old rows under a `SHARE UPDATE EXCLUSIVE` lock, which lets reads and writes go on.

    **Bad**

    ```sql
    ALTER TABLE accounts ADD CONSTRAINT accounts_balance_positive CHECK (balance >= 0);
    ```

    **Good**

    ```sql
    ALTER TABLE accounts ADD CONSTRAINT accounts_balance_positive CHECK (balance >= 0) NOT VALID;
    -- in a separate transaction (SW509):
    ALTER TABLE accounts VALIDATE CONSTRAINT accounts_balance_positive;
    ```
    """

    code = "SW508"
    name = "check-without-not-valid"
    severity = Severity.ERROR
    fix = "Add the CHECK constraint NOT VALID, then VALIDATE CONSTRAINT in a separate transaction."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for con, at in added_constraints(node, ConstrType.CONSTR_CHECK):
            if not con.skip_validation:
                name = f" {con.conname}" if con.conname else ""
                yield self.report(ctx, f"CHECK constraint{name} on the existing table {display(node.relation)} scans "
                                       "every row while an ACCESS EXCLUSIVE lock blocks reads and writes.", at=at)
