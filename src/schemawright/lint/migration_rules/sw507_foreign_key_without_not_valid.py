from __future__ import annotations

from pglast import ast
from pglast.enums import ConstrType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import added_constraints, display


class ForeignKeyWithoutNotValid(MigrationRule):
    """Adding a foreign key to an existing table checks every row while writes to both tables wait.

    `ADD CONSTRAINT ... FOREIGN KEY` (or `ADD COLUMN ... REFERENCES`) takes `SHARE ROW EXCLUSIVE`
    locks on the table *and* on the referenced table, then scans the table to validate every row.
    Added `NOT VALID`, the constraint is enforced for new writes at once; a later `VALIDATE
    CONSTRAINT` checks old rows under a lock that lets writes go on.

    **Bad**

    ```sql
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
    ```

    **Good**

    ```sql
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
        FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
    -- in a separate transaction (SW509):
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
    ```
    """

    code = "SW507"
    name = "foreign-key-without-not-valid"
    severity = Severity.ERROR
    fix = "Add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a separate transaction."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for con, at in added_constraints(node, ConstrType.CONSTR_FOREIGN):
            if not con.skip_validation:
                name = f" {con.conname}" if con.conname else ""
                yield self.report(ctx, f"Foreign key{name} on the existing table {display(node.relation)} is checked "
                                       f"against every row while writes to it and to {display(con.pktable)} wait.",
                                  at=at)
