from __future__ import annotations

from pglast import ast
from pglast.enums import ObjectType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import object_key


class DropIndexWithoutConcurrently(MigrationRule):
    """DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table.

    While a plain `DROP INDEX` waits for its lock (behind any long-running query on the table), every
    new query on the table queues behind it. `DROP INDEX CONCURRENTLY` waits for conflicting
    transactions without blocking others.

    **Bad**

    ```sql
    DROP INDEX orders_legacy_idx;
    ```

    **Good**

    ```sql
    DROP INDEX CONCURRENTLY IF EXISTS orders_legacy_idx;
    ```
    """

    code = "SW505"
    name = "drop-index-without-concurrently"
    severity = Severity.WARNING
    fix = "Use DROP INDEX CONCURRENTLY (one index per statement, outside a transaction block)."
    targets = (ast.DropStmt,)

    def check(self, node, ctx):
        if node.removeType != ObjectType.OBJECT_INDEX or node.concurrent:
            return
        for names in node.objects:
            key = object_key(names)
            if not ctx.is_new(key):
                yield self.report(ctx, f"DROP INDEX {key.removeprefix('public.')} takes an ACCESS EXCLUSIVE lock on "
                                       "its table, blocking reads and writes while it waits and runs.")
