from __future__ import annotations

from pglast import ast

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import SERIAL_TYPES, column_types


class SerialColumn(MigrationRule):
    """`serial` columns should be identity columns.

    `serial` is a macro for a sequence plus a `nextval()` default: the sequence has its own owner and
    privileges (inserts fail for roles granted only the table), explicit inserts silently collide
    with future sequence values, and `CREATE TABLE ... LIKE` copies the default pointing at the
    *old* sequence. SQL-standard identity columns (PostgreSQL 10+) tie the sequence to the column.

    **Bad**

    ```sql
    CREATE TABLE users (id bigserial PRIMARY KEY);
    ```

    **Good**

    ```sql
    CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
    ```
    """

    code = "SW536"
    name = "serial-column"
    severity = Severity.WARNING
    fix = "Use <int type> GENERATED ALWAYS AS IDENTITY (or BY DEFAULT, if rows are inserted with explicit ids)."
    targets = (ast.CreateStmt, ast.AlterTableStmt)

    def check(self, node, ctx):
        for column, typ, at in column_types(node):
            if typ.base in SERIAL_TYPES and not typ.array:
                int_type = {"int2": "smallint", "int4": "integer", "int8": "bigint"}[SERIAL_TYPES[typ.base]]
                yield self.report(ctx, f"Column {column!r} is {typ.base}; use {int_type} GENERATED ALWAYS AS "
                                       "IDENTITY.", at=at)
