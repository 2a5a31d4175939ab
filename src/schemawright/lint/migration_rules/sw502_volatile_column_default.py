from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import (SERIAL_TYPES, alter_commands, column_constraints, column_default, display,
                                  type_ref, volatile_call)


class VolatileColumnDefault(MigrationRule):
    """Adding a column whose value is computed per row rewrites the whole table under an exclusive lock.

    Since PostgreSQL 11, `ADD COLUMN ... DEFAULT <constant>` only updates the catalog. A *volatile*
    default (`random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval()`, or any function not
    known to be stable), a `serial` or identity column and a stored generated column all need a value
    computed for every existing row: the table is rewritten while an `ACCESS EXCLUSIVE` lock blocks
    reads and writes. Before PostgreSQL 11 (`pg_version` below 11) every non-null default rewrites.

    **Bad**

    ```sql
    ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
    ```

    **Good**

    ```sql
    ALTER TABLE orders ADD COLUMN public_id uuid;
    ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();  -- new rows only
    -- backfill existing rows in batches: UPDATE orders SET public_id = gen_random_uuid() WHERE id BETWEEN ...
    ```
    """

    code = "SW502"
    name = "volatile-column-default"
    severity = Severity.WARNING
    fix = ("Add the column without the default, SET DEFAULT in a second statement (it applies to new rows "
           "only), and backfill existing rows in batches.")
    targets = (ast.AlterTableStmt,)

    def check(self, node, ctx):
        if ctx.is_new(node.relation):
            return
        table = display(node.relation)
        for cmd in alter_commands(node, AT.AT_AddColumn):
            if reason := _rewrite_reason(cmd.def_, ctx.pg_version):
                yield self.report(ctx, f"Adding column {cmd.def_.colname!r} to the existing table {table} rewrites "
                                       f"it under an ACCESS EXCLUSIVE lock: {reason}.", at=cmd.def_)


def _rewrite_reason(col: ast.ColumnDef, pg_version: int) -> str | None:
    typ = type_ref(col.typeName)
    if typ.base in SERIAL_TYPES:
        return f"a {typ.base} column takes a new sequence value in every row"
    if column_constraints(col, ConstrType.CONSTR_IDENTITY):
        return "an identity column takes a new sequence value in every row"
    for con in column_constraints(col, ConstrType.CONSTR_GENERATED):
        if con.generated_kind != "v":
            return "a stored generated column is computed for every row"
    default = column_default(col)
    if default is None or (isinstance(default, ast.A_Const) and default.isnull):
        return None
    if func := volatile_call(default):
        return f"the DEFAULT calls {func}(), which is volatile or not known to be stable"
    if pg_version < 11:
        return f"before PostgreSQL 11 every DEFAULT is written into every row (pg_version is {pg_version})"
    return None
