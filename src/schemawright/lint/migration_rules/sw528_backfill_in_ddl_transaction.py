from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import display

# Bookkeeping tables of migration tools: one-row updates, not backfills.
MIGRATION_TABLES = frozenset({"alembic_version", "schema_migrations", "flyway_schema_history", "schema_version",
                              "django_migrations", "goose_db_version", "knex_migrations", "ar_internal_metadata",
                              "__diesel_schema_migrations", "databasechangelog", "migrations"})


class BackfillInDdlTransaction(MigrationRule):
    """A data backfill runs in the transaction that holds a schema change's lock, blocking the table all along.

    Locks are held until the transaction ends. An `UPDATE` or `DELETE` over an existing table after an
    `ALTER TABLE` (or another statement that blocks writes) in the same transaction keeps that lock for
    the whole backfill: minutes of blocked reads or writes instead of milliseconds. Commit the schema
    change first and backfill in batches in separate transactions.

    **Bad**

    ```sql
    BEGIN;
    ALTER TABLE orders ADD COLUMN total_cents bigint;
    UPDATE orders SET total_cents = total * 100;
    COMMIT;
    ```

    **Good**

    ```sql
    ALTER TABLE orders ADD COLUMN total_cents bigint;
    -- then, in batches, each in its own transaction:
    UPDATE orders SET total_cents = total * 100 WHERE id BETWEEN 1 AND 10000 AND total_cents IS NULL;
    ```
    """

    code = "SW528"
    name = "backfill-in-ddl-transaction"
    severity = Severity.WARNING
    fix = "Commit the schema change first; backfill in batches, each in its own transaction."
    targets = (ast.UpdateStmt, ast.DeleteStmt)

    def check(self, node, ctx):
        tx = ctx.transaction
        if tx is None or not tx.locked or node.relation.relname in MIGRATION_TABLES:
            return
        if ctx.is_new(node.relation):
            return
        key, (mode, statement) = max(tx.locked.items(), key=lambda item: item[1][0])
        verb = "UPDATE" if isinstance(node, ast.UpdateStmt) else "DELETE"
        yield self.report(ctx, f"{verb} of {display(node.relation)} runs while this transaction holds "
                               f"{mode.with_article} lock on {key.removeprefix('public.')} (taken at line "
                               f"{statement.first_line}), "
                               f"blocking {mode.blocks} until the backfill commits.")
