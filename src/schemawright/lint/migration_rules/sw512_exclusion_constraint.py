from __future__ import annotations

from pglast import ast
from pglast.enums import ConstrType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import added_constraints, display


class ExclusionConstraint(MigrationRule):
    """Adding an EXCLUDE constraint to an existing table builds its index under an ACCESS EXCLUSIVE lock.

    Unlike UNIQUE, an exclusion constraint can neither be added `NOT VALID` nor attached to an index
    built concurrently: PostgreSQL builds the index and checks every pair of conflicting rows while
    reads and writes wait. There is no lock-free path; plan it for a maintenance window, or enforce the
    rule in a new table (or a new partition) that starts empty.

    **Bad**

    ```sql
    ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
        EXCLUDE USING gist (room_id WITH =, during WITH &&);
    ```

    **Good**

    ```sql
    -- maintenance window, with a lock_timeout so the statement gives up instead of queueing:
    SET lock_timeout = '2s';
    ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
        EXCLUDE USING gist (room_id WITH =, during WITH &&);
    ```
    """

    code = "SW512"
    name = "exclusion-constraint"
    severity = Severity.WARNING
    fix = ("There is no concurrent way: run it in a maintenance window with a lock_timeout, or put the "
           "constraint on a new, empty table.")
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        for _, at in added_constraints(node, ConstrType.CONSTR_EXCLUSION):
            yield self.report(ctx, f"EXCLUDE constraint on the existing table {display(node.relation)} builds its "
                                   "index and checks all rows while an ACCESS EXCLUSIVE lock blocks reads and writes.",
                              at=at)
