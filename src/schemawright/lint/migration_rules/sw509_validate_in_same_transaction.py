from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import alter_commands, display, relation_key


class ValidateInSameTransaction(MigrationRule):
    """Validating a NOT VALID constraint in the transaction that added it keeps the strong lock.

    The point of `NOT VALID` is to take the strong lock only briefly. `ADD CONSTRAINT ... NOT VALID`
    holds its lock (`ACCESS EXCLUSIVE` for a check, `SHARE ROW EXCLUSIVE` for a foreign key) until
    the transaction ends, so a `VALIDATE CONSTRAINT` in the same transaction scans the table while
    that lock is still held: as bad as not using `NOT VALID` at all. This includes the transaction a
    migration tool wraps around each file (`assume_in_transaction`).

    **Bad**

    ```sql
    BEGIN;
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
    COMMIT;
    ```

    **Good**

    ```sql
    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
    -- next migration (or after COMMIT):
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
    ```
    """

    code = "SW509"
    name = "validate-in-same-transaction"
    severity = Severity.WARNING
    fix = "COMMIT after adding the constraint NOT VALID and validate it in a new transaction (or next migration)."
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        tx = ctx.transaction
        if tx is None:
            return
        for cmd in alter_commands(node, AT.AT_ValidateConstraint):
            if (relation_key(node.relation), cmd.name) in tx.not_valid:
                yield self.report(ctx, f"Constraint {cmd.name} of {display(node.relation)} is validated in the "
                                       "transaction that added it NOT VALID, so the full scan runs under the strong "
                                       "lock taken by ADD CONSTRAINT.")
