from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import display


class RefreshMatviewWithoutConcurrently(MigrationRule):
    """REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view until it finishes.

    A plain refresh takes an `ACCESS EXCLUSIVE` lock on the view for the whole recomputation. With
    `CONCURRENTLY` (the view needs a unique index) readers keep seeing the old contents meanwhile.

    **Bad**

    ```sql
    REFRESH MATERIALIZED VIEW sales_summary;
    ```

    **Good**

    ```sql
    CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS sales_summary_key ON sales_summary (day, region);
    REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary;
    ```
    """

    code = "SW531"
    name = "refresh-matview-without-concurrently"
    severity = Severity.WARNING
    fix = "Give the view a unique index and use REFRESH MATERIALIZED VIEW CONCURRENTLY."
    targets = (ast.RefreshMatViewStmt,)

    def check(self, node, ctx):
        if node.concurrent or node.skipData or ctx.is_new(node.relation):
            return
        yield self.report(ctx, f"REFRESH MATERIALIZED VIEW {display(node.relation)} blocks every read of it until "
                               "the refresh finishes.")
