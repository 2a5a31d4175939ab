from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import column_types


class TimestampWithoutTimeZone(MigrationRule):
    """`timestamp` (without time zone) stores wall-clock times that mean different instants to different clients.

    A `timestamp` column keeps no offset: `now()` is stored in the session's time zone and read back
    unchanged in any other, so servers or clients in different zones (or a DST change) silently shift
    the data. `timestamptz` stores an instant and takes the same 8 bytes.

    **Bad**

    ```sql
    CREATE TABLE events (created_at timestamp NOT NULL DEFAULT now());
    ```

    **Good**

    ```sql
    CREATE TABLE events (created_at timestamptz NOT NULL DEFAULT now());
    ```
    """

    code = "SW533"
    name = "timestamp-without-time-zone"
    severity = Severity.WARNING
    fix = "Use timestamptz (timestamp with time zone)."
    targets = (ast.CreateStmt, ast.AlterTableStmt)

    def check(self, node, ctx):
        for column, typ, at in column_types(node):
            if typ.is_("timestamp"):
                yield self.report(ctx, f"Column {column!r} is {typ} without time zone: its values mean different "
                                       "instants in different session time zones.", at=at)
