from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import LockMode, lock_requests


class MissingLockTimeout(MigrationRule):
    """A statement that takes a strong lock on an existing table runs without a lock_timeout.

    A lock request waits behind every transaction already using the table (a long report, an idle
    transaction), and while it waits every new query on the table queues behind it: a cheap
    `ALTER TABLE` can take a site down this way. With `SET lock_timeout` the statement gives up after
    a moment instead; retry the migration later. The rule reports once per file, at the first statement
    that needs it (a lock of `SHARE` or stronger, which blocks writes).

    **Bad**

    ```sql
    ALTER TABLE users ADD COLUMN nickname text;
    ```

    **Good**

    ```sql
    SET lock_timeout = '2s';
    ALTER TABLE users ADD COLUMN nickname text;
    ```
    """

    code = "SW523"
    name = "missing-lock-timeout"
    severity = Severity.WARNING
    fix = "Start the file with SET lock_timeout = '2s' (or SET LOCAL inside the transaction) and retry on timeout."
    targets = (ast.Node,)

    def check(self, node, ctx):
        if ctx.lock_timeout_set or ctx.state.lock_timeout_reported:
            return
        strong = [(key, mode) for key, mode in lock_requests(node)
                  if mode >= LockMode.SHARE and not ctx.is_new(key)]
        if strong:
            ctx.state.lock_timeout_reported = True  # once per file (until lock_timeout is turned off again)
            key, mode = max(strong, key=lambda item: item[1])
            table = key.removeprefix("public.")
            yield self.report(ctx, f"This statement waits for {mode.with_article} lock on {table} (blocking "
                                   f"{mode.blocks} while it waits) with no lock_timeout set in this file.")
