from __future__ import annotations

from pglast import ast
from pglast.enums import ReindexObjectType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import has_option


class ReindexWithoutConcurrently(MigrationRule):
    """REINDEX without CONCURRENTLY blocks writes (and reads that use the index) while it rebuilds.

    A plain `REINDEX` locks the table against writes and the index against reads for the whole
    rebuild. Since PostgreSQL 12, `REINDEX ... CONCURRENTLY` rebuilds without blocking them. The rule
    is quiet below `pg_version` 12 and for `REINDEX SYSTEM`, which has no concurrent form.

    **Bad**

    ```sql
    REINDEX INDEX orders_customer_id_idx;
    ```

    **Good**

    ```sql
    REINDEX INDEX CONCURRENTLY orders_customer_id_idx;
    ```
    """

    code = "SW506"
    name = "reindex-without-concurrently"
    severity = Severity.WARNING
    fix = "Use REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction block."
    targets = (ast.ReindexStmt,)

    def check(self, node, ctx):
        if ctx.pg_version < 12 or node.kind == ReindexObjectType.REINDEX_OBJECT_SYSTEM:
            return
        if has_option(node.params, "concurrently") or (node.relation is not None and ctx.is_new(node.relation)):
            return
        what = node.kind.name.removeprefix("REINDEX_OBJECT_")
        yield self.report(ctx, f"REINDEX {what} without CONCURRENTLY blocks writes to the table, and reads that "
                               "use the index, until the rebuild ends.")
