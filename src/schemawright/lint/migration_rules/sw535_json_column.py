from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import column_types


class JsonColumn(MigrationRule):
    """`json` stores text that is re-parsed on every access and cannot be indexed or compared.

    `json` keeps the input verbatim (whitespace, duplicate keys), parses it again for every operator,
    has no equality operator (so no `DISTINCT`, `GROUP BY` or unique index) and no GIN index support.
    `jsonb` is the binary form: faster to query, indexable, comparable.

    **Bad**

    ```sql
    CREATE TABLE events (payload json NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE events (payload jsonb NOT NULL);
    ```
    """

    code = "SW535"
    name = "json-column"
    severity = Severity.WARNING
    fix = "Use jsonb (keep json only when the exact input text must be preserved)."
    targets = (ast.CreateStmt, ast.AlterTableStmt)

    def check(self, node, ctx):
        for column, typ, at in column_types(node):
            if typ.is_("json"):
                yield self.report(ctx, f"Column {column!r} is {typ}: re-parsed on every access, with no equality "
                                       "or GIN index support; use jsonb.", at=at)
