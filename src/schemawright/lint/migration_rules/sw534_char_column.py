from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import column_types


class CharColumn(MigrationRule):
    """`char(n)` pads values with spaces and is no faster than `text`.

    `character(n)` stores values blank-padded to n characters, ignores trailing spaces in comparisons
    but not in `LIKE` or when cast to text, and is stored exactly like `varchar`: it has only
    surprises to offer. (`"char"`, the one-byte internal type, is not affected.)

    **Bad**

    ```sql
    CREATE TABLE countries (code char(2) PRIMARY KEY);
    ```

    **Good**

    ```sql
    CREATE TABLE countries (code text PRIMARY KEY CHECK (char_length(code) = 2));
    ```
    """

    code = "SW534"
    name = "char-column"
    severity = Severity.WARNING
    fix = "Use text (or varchar(n)), with a CHECK on char_length() if the length matters."
    targets = (ast.CreateStmt, ast.AlterTableStmt)

    def check(self, node, ctx):
        for column, typ, at in column_types(node):
            if typ.is_("bpchar"):
                yield self.report(ctx, f"Column {column!r} is {typ}: values are blank-padded and compare in "
                                       "surprising ways; use text.", at=at)
