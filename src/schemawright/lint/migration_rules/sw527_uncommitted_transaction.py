from __future__ import annotations

from pglast import ast
from pglast.enums import TransactionStmtKind as Kind

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule

_OPEN = (Kind.TRANS_STMT_BEGIN, Kind.TRANS_STMT_START)
_CLOSE = (Kind.TRANS_STMT_COMMIT, Kind.TRANS_STMT_ROLLBACK, Kind.TRANS_STMT_PREPARE)


class UncommittedTransaction(MigrationRule):
    """A transaction opened in the file is never committed.

    When the file ends inside an explicit `BEGIN`, what happens depends on the tool: psql rolls the
    work back when the session ends, others leave the session idle in transaction, holding every lock
    the migration took. Close what you open. (Not checked when the migration tool wraps the file in its
    own transaction, `assume_in_transaction`: a trailing `BEGIN` is then the usual way to hand it back.)

    **Bad**

    ```sql
    BEGIN;
    ALTER TABLE users ADD COLUMN nickname text;
    ```

    **Good**

    ```sql
    BEGIN;
    ALTER TABLE users ADD COLUMN nickname text;
    COMMIT;
    ```
    """

    code = "SW527"
    name = "uncommitted-transaction"
    severity = Severity.ERROR
    fix = "End the file with COMMIT (or remove the BEGIN and let the migration tool manage the transaction)."
    targets = (ast.TransactionStmt,)

    def check(self, node, ctx):
        if node.kind not in _OPEN or ctx.transaction is not None or ctx.settings.assume_in_transaction:
            return
        if not any(isinstance(s.node, ast.TransactionStmt) and s.node.kind in _CLOSE for s in ctx.later_statements()):
            yield self.report(ctx, "This transaction is never committed: the file ends inside it.")
