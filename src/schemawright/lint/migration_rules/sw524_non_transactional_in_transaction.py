from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ObjectType, ReindexObjectType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import alter_commands, has_option


class NonTransactionalInTransaction(MigrationRule):
    """A statement that cannot run inside a transaction block is inside one, or mixed with transactional ones.

    `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX ... CONCURRENTLY`, `DETACH
    PARTITION ... CONCURRENTLY`, `VACUUM`, `REINDEX DATABASE/SCHEMA/SYSTEM`, `CREATE/DROP DATABASE`,
    `ALTER SYSTEM` and tablespace commands fail with "cannot run inside a transaction block". That
    includes an explicit `BEGIN`, and a file sent as one multi-statement query. When the migration tool
    wraps each file in a transaction (`assume_in_transaction`), a file made only of such statements
    (plus `SET`s) is fine, since tools like Flyway then run it without one, but a file that *mixes*
    them with ordinary statements fails.

    **Bad**

    ```sql
    BEGIN;
    CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);
    COMMIT;
    ```

    **Good**

    ```sql
    -- a migration file of its own, with the tool's transaction turned off for it
    CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
    ```
    """

    code = "SW524"
    name = "non-transactional-in-transaction"
    severity = Severity.ERROR
    fix = "Move the statement to a migration of its own that runs outside a transaction."
    targets = (ast.IndexStmt, ast.DropStmt, ast.ReindexStmt, ast.AlterTableStmt, ast.VacuumStmt, ast.CreatedbStmt,
               ast.DropdbStmt, ast.AlterSystemStmt, ast.CreateTableSpaceStmt, ast.DropTableSpaceStmt)

    def check(self, node, ctx):
        tx = ctx.transaction
        if tx is None or not (what := _non_transactional(node)):
            return
        if tx.implicit:
            mixed = [s for s in ctx.file.statements if not _runs_outside_transactions(s.node)]
            if mixed:
                yield self.report(ctx, f"{what} cannot run inside a transaction block, and this file mixes it with "
                                       f"transactional statements (line {mixed[0].first_line}) in the transaction the "
                                       "migration tool opens; it fails.")
            return
        yield self.report(ctx, f"{what} cannot run inside a transaction block (opened at line "
                               f"{tx.start.first_line}); it fails.")


def _runs_outside_transactions(node) -> bool:
    if isinstance(node, (ast.VariableSetStmt, ast.TransactionStmt)):
        return True
    return type(node) in NonTransactionalInTransaction.targets and _non_transactional(node) is not None


def _non_transactional(node) -> str | None:
    if isinstance(node, ast.IndexStmt):
        return "CREATE INDEX CONCURRENTLY" if node.concurrent else None
    if isinstance(node, ast.DropStmt):
        return "DROP INDEX CONCURRENTLY" if node.concurrent and node.removeType == ObjectType.OBJECT_INDEX else None
    if isinstance(node, ast.ReindexStmt):
        if has_option(node.params, "concurrently"):
            return "REINDEX CONCURRENTLY"
        whole = (ReindexObjectType.REINDEX_OBJECT_SCHEMA, ReindexObjectType.REINDEX_OBJECT_DATABASE,
                 ReindexObjectType.REINDEX_OBJECT_SYSTEM)
        return f"REINDEX {node.kind.name.removeprefix('REINDEX_OBJECT_')}" if node.kind in whole else None
    if isinstance(node, ast.AlterTableStmt):
        concurrent = any(getattr(c.def_, "concurrent", False) for c in alter_commands(node, AT.AT_DetachPartition))
        return "DETACH PARTITION CONCURRENTLY" if concurrent else None
    if isinstance(node, ast.VacuumStmt):
        return "VACUUM" if node.is_vacuumcmd else None
    return {ast.CreatedbStmt: "CREATE DATABASE", ast.DropdbStmt: "DROP DATABASE", ast.AlterSystemStmt: "ALTER SYSTEM",
            ast.CreateTableSpaceStmt: "CREATE TABLESPACE", ast.DropTableSpaceStmt: "DROP TABLESPACE"}[type(node)]
