from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import display, has_option


class ClusterOrVacuumFull(MigrationRule):
    """CLUSTER and VACUUM FULL rewrite tables while an ACCESS EXCLUSIVE lock blocks reads and writes.

    Both build a new copy of each table they touch, holding the strongest lock for the whole copy;
    without a table name they do it to every table. The `pg_repack` extension (or `pg_squeeze`, or
    `REPACK ... CONCURRENTLY` on PostgreSQL 19+) does the same work with the exclusive lock held only
    for a moment at the end.

    **Bad**

    ```sql
    VACUUM FULL events;
    CLUSTER events USING events_created_at_idx;
    ```

    **Good**

    ```sh
    pg_repack --table=events --order-by=created_at mydb
    ```
    """

    code = "SW516"
    name = "cluster-or-vacuum-full"
    severity = Severity.ERROR
    fix = "Use pg_repack or pg_squeeze (REPACK CONCURRENTLY on PostgreSQL 19+), outside the migration."
    targets = (ast.ClusterStmt, ast.VacuumStmt)

    def check(self, node, ctx):
        if isinstance(node, ast.VacuumStmt):
            if not node.is_vacuumcmd or not has_option(node.options, "full"):
                return
            relations = [r.relation for r in node.rels or () if r.relation is not None]
            command = "VACUUM FULL"
        else:
            relations = [node.relation] if node.relation is not None else []
            command = "CLUSTER"
        existing = [display(r) for r in relations if not ctx.is_new(r)]
        if relations and not existing:
            return
        target = ", ".join(existing) if existing else "every table"
        yield self.report(ctx, f"{command} rewrites {target} while an ACCESS EXCLUSIVE lock blocks reads and writes.")
