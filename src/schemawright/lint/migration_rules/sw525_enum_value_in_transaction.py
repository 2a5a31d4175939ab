from __future__ import annotations

from pglast import ast
from pglast.enums import TransactionStmtKind

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import string_const, walk

_ENDS = (TransactionStmtKind.TRANS_STMT_COMMIT, TransactionStmtKind.TRANS_STMT_ROLLBACK,
         TransactionStmtKind.TRANS_STMT_PREPARE)


class EnumValueInTransaction(MigrationRule):
    """ALTER TYPE ... ADD VALUE inside a transaction fails before PostgreSQL 12, and its value is unusable until COMMIT.

    Before PostgreSQL 12 `ALTER TYPE ... ADD VALUE` cannot run in a transaction block at all. From 12
    on it can, but the new label cannot be *used* (inserted, compared, set as a default) until the
    transaction commits: "unsafe use of new value". The rule fires for any `ADD VALUE` in a
    transaction when `pg_version` is below 12, and on 12+ when a later statement of the same
    transaction uses the new label.

    **Bad**

    ```sql
    BEGIN;
    ALTER TYPE order_status ADD VALUE 'refunded';
    UPDATE orders SET status = 'refunded' WHERE refund_id IS NOT NULL;
    COMMIT;
    ```

    **Good**

    ```sql
    ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';   -- its own migration, no transaction
    -- next migration:
    UPDATE orders SET status = 'refunded' WHERE refund_id IS NOT NULL;
    ```
    """

    code = "SW525"
    name = "enum-value-in-transaction"
    severity = Severity.ERROR
    fix = "Add the enum value in a migration of its own (outside a transaction), and use it in a later one."
    targets = (ast.AlterEnumStmt,)

    def check(self, node, ctx):
        if ctx.transaction is None or not node.newVal or node.oldVal:
            return
        if ctx.pg_version < 12:
            yield self.report(ctx, f"ALTER TYPE ... ADD VALUE {node.newVal!r} cannot run inside a transaction block "
                                   f"before PostgreSQL 12 (pg_version is {ctx.pg_version}).")
            return
        for later in ctx.later_statements():
            if isinstance(later.node, ast.TransactionStmt) and later.node.kind in _ENDS:
                return
            if any(string_const(n) == node.newVal for n in walk(later.node)):
                yield self.report(ctx, f"Enum value {node.newVal!r} is used at line {later.first_line} in the "
                                       "transaction that adds it: \"unsafe use of new value\" until it commits.")
                return
