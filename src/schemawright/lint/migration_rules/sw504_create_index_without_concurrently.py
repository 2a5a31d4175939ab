from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import display


class CreateIndexWithoutConcurrently(MigrationRule):
    """CREATE INDEX without CONCURRENTLY blocks writes to an existing table until the index is built.

    A plain `CREATE INDEX` takes a `SHARE` lock: inserts, updates and deletes wait for the whole build,
    which on a large table takes minutes. `CREATE INDEX CONCURRENTLY` builds it while writes go on (it
    cannot run inside a transaction block, see SW524). Indexes on tables created earlier in the same
    migrations are fine.

    **Bad**

    ```sql
    CREATE INDEX orders_customer_id_idx ON orders (customer_id);
    ```

    **Good**

    ```sql
    CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
    ```

    If a concurrent build fails it leaves an INVALID index behind: drop it and retry.
    """

    code = "SW504"
    name = "create-index-without-concurrently"
    severity = Severity.ERROR
    fix = "Use CREATE INDEX CONCURRENTLY, outside a transaction block (its own migration file)."
    targets = (ast.IndexStmt,)

    def check(self, node, ctx):
        if node.concurrent or ctx.is_new(node.relation):
            return
        kind = "UNIQUE INDEX" if node.unique else "INDEX"
        yield self.report(ctx, f"CREATE {kind} on the existing table {display(node.relation)} takes a SHARE lock "
                               "that blocks writes until the index is built.")
