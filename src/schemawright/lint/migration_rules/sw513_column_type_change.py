from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule, column_type_changes
from schemawright.lint.pg import display, type_change, type_ref


class ColumnTypeChange(MigrationRule):
    """Changing a column's type usually rewrites the table and its indexes under an ACCESS EXCLUSIVE lock.

    Reads and writes wait while every row is converted and every index rebuilt; running code that
    reads the column may also break on the new type. Only binary-coercible changes skip the rewrite:
    a longer (or no) `varchar` limit, `varchar` to `text`, a larger `numeric` precision with the same
    scale, `cidr` to `inet`. The rule knows a column's old type when the linted migrations created it;
    otherwise it reports every change (and says so). Shorter limits are SW514.

    **Bad**

    ```sql
    ALTER TABLE events ALTER COLUMN id TYPE bigint;
    ```

    **Good**

    ```sql
    ALTER TABLE events ADD COLUMN id_new bigint;
    -- keep id_new in sync with a trigger, backfill in batches, then swap the columns in one short transaction
    ```
    """

    code = "SW513"
    name = "column-type-change"
    severity = Severity.ERROR
    fix = ("Add a new column of the new type, keep it in sync (trigger), backfill in batches, then switch "
           "readers and drop the old column.")
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        for cmd, old, new in column_type_changes(node, ctx):
            where = f"{display(node.relation)}.{cmd.name}"
            if old is None:
                yield self.report(ctx, f"Changing the type of {where} to {new} rewrites the table and its indexes "
                                       "under an ACCESS EXCLUSIVE lock, unless the old type is binary-coercible to it "
                                       "(unknown here).", at=cmd.def_.typeName)
            elif type_change(old, new) == "rewrite" or (cmd.def_.raw_default is not None and old != new
                                                         and not _plain_cast(cmd.def_.raw_default, cmd.name, new)):
                yield self.report(ctx, f"Changing {where} from {old} to {new} rewrites the table and its indexes "
                                       "under an ACCESS EXCLUSIVE lock.", at=cmd.def_.typeName)


def _plain_cast(expr, column: str, new) -> bool:
    """``USING col::<new type>``: the conversion PostgreSQL makes anyway, so it rewrites no more than no USING."""
    return (isinstance(expr, ast.TypeCast) and isinstance(expr.arg, ast.ColumnRef) and len(expr.arg.fields) == 1
            and getattr(expr.arg.fields[0], "sval", None) == column and type_ref(expr.typeName) == new)
