from __future__ import annotations

from pglast import ast
from pglast.enums import TransactionStmtKind as Kind

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule

_OPEN = (Kind.TRANS_STMT_BEGIN, Kind.TRANS_STMT_START)
_CLOSE = (Kind.TRANS_STMT_COMMIT, Kind.TRANS_STMT_ROLLBACK)


class TransactionNesting(MigrationRule):
    """BEGIN inside a transaction, or COMMIT/ROLLBACK outside one, does not do what the migration intends.

    PostgreSQL has no nested transactions: a second `BEGIN` only warns, and the first `COMMIT` ends
    everything, so later statements run outside any transaction. When the migration tool wraps each
    file in a transaction (`assume_in_transaction`), a `COMMIT` in the file ends the tool's transaction
    early, and the tool's own COMMIT then finds none (unless the file opens a new one with `BEGIN`).

    **Bad**

    ```sql
    BEGIN;
    BEGIN;   -- WARNING: there is already a transaction in progress
    ALTER TABLE users ADD COLUMN nickname text;
    COMMIT;
    COMMIT;  -- WARNING: there is no transaction in progress
    ```

    **Good**

    ```sql
    BEGIN;
    ALTER TABLE users ADD COLUMN nickname text;
    COMMIT;
    ```
    """

    code = "SW526"
    name = "transaction-nesting"
    severity = Severity.WARNING
    fix = "Open one transaction per file (or none, when the migration tool opens it) and close it once."
    targets = (ast.TransactionStmt,)

    def check(self, node, ctx):
        tx = ctx.transaction
        if node.kind in _OPEN and tx is not None:
            where = "by the migration tool" if tx.implicit else f"at line {tx.start.first_line}"
            yield self.report(ctx, f"BEGIN inside a transaction already open (opened {where}): PostgreSQL does not "
                                   "nest transactions, the first COMMIT ends both.")
        elif node.kind in _CLOSE and tx is None:
            yield self.report(ctx, "COMMIT/ROLLBACK with no transaction in progress: the statements before it were "
                                   "not in the transaction this suggests.")
        elif node.kind in _CLOSE and tx.implicit and not _reopens(ctx):
            yield self.report(ctx, "COMMIT/ROLLBACK ends the transaction the migration tool opened: what follows runs "
                                   "outside it, and the tool's own COMMIT finds no transaction.")


def _reopens(ctx) -> bool:
    return any(isinstance(s.node, ast.TransactionStmt) and s.node.kind in _OPEN for s in ctx.later_statements())
