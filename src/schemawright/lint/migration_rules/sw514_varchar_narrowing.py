from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule, column_type_changes
from schemawright.lint.pg import display, type_change


class VarcharNarrowing(MigrationRule):
    """Shortening a character column's limit checks every row, may fail, and breaks clients writing longer values.

    `varchar(255)` to `varchar(50)` (or `text` to `varchar(n)`) is not binary-coercible: PostgreSQL
    rewrites the table under an `ACCESS EXCLUSIVE` lock, the statement fails if any existing value is
    too long, and running code that writes longer values starts getting errors. The rule needs the old
    type, so it fires when the linted migrations created the column.

    **Bad**

    ```sql
    ALTER TABLE users ALTER COLUMN name TYPE varchar(50);   -- was varchar(255)
    ```

    **Good**

    ```sql
    ALTER TABLE users ADD CONSTRAINT users_name_length CHECK (char_length(name) <= 50) NOT VALID;
    ALTER TABLE users VALIDATE CONSTRAINT users_name_length;   -- in a separate transaction
    ```
    """

    code = "SW514"
    name = "varchar-narrowing"
    severity = Severity.ERROR
    fix = ("Keep the wider type and enforce the limit with CHECK (char_length(col) <= n) NOT VALID, "
           "then VALIDATE it separately.")
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        for cmd, old, new in column_type_changes(node, ctx):
            if old is not None and type_change(old, new) == "narrowing":
                yield self.report(ctx, f"Narrowing {display(node.relation)}.{cmd.name} from {old} to {new} rewrites "
                                       "the table under an ACCESS EXCLUSIVE lock, fails if a longer value exists, and "
                                       "rejects longer values that running code still writes.", at=cmd.def_.typeName)
