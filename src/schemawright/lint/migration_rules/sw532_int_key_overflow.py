from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType

from schemawright.findings import Severity
from schemawright.lint.migration_rules.base import MigrationRule
from schemawright.lint.pg import SERIAL_TYPES, alter_commands, column_constraints, type_ref

_LIMITS = {"int2": "32,767", "int4": "2,147,483,647"}
_KEY_CONSTRAINTS = (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_FOREIGN, ConstrType.CONSTR_IDENTITY)


class IntKeyOverflow(MigrationRule):
    """A key column is `integer` or `smallint` (or `serial`), so it will run out of values.

    An `integer` key stops at 2,147,483,647, a `smallint` one at 32,767; inserts then fail, and
    widening the column later rewrites the table and every index on it, foreign keys included. The
    rule looks at primary-key, identity, serial and foreign-key columns, and at columns named `id` or
    `..._id` (foreign keys are often added by a later statement); `bigint` costs four bytes more.

    **Bad**

    ```sql
    CREATE TABLE events (id serial PRIMARY KEY, user_id integer REFERENCES users (id));
    ```

    **Good**

    ```sql
    CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                         user_id bigint REFERENCES users (id));
    ```
    """

    code = "SW532"
    name = "int-key-overflow"
    severity = Severity.WARNING
    fix = ("Use bigint (bigint GENERATED ALWAYS AS IDENTITY for generated keys) for keys and the columns "
           "referencing them.")
    targets = (ast.CreateStmt, ast.AlterTableStmt)

    def check(self, node, ctx):
        for col in _key_columns(node):
            typ = type_ref(col.typeName)
            base = typ.integer_base
            if base in _LIMITS and not typ.array:
                yield self.report(ctx, f"Key column {col.colname!r} is {typ}: it runs out after {_LIMITS[base]} "
                                       "values, and widening it later rewrites the table.", at=col)


def _key_columns(node) -> list[ast.ColumnDef]:
    if isinstance(node, ast.CreateStmt):
        columns = [e for e in node.tableElts or () if isinstance(e, ast.ColumnDef) and e.typeName is not None]
        named = set()
        for elt in node.tableElts or ():
            if isinstance(elt, ast.Constraint) and elt.contype == ConstrType.CONSTR_PRIMARY:
                named |= {k.sval for k in elt.keys or ()}
            elif isinstance(elt, ast.Constraint) and elt.contype == ConstrType.CONSTR_FOREIGN:
                named |= {k.sval for k in elt.fk_attrs or ()}
    else:
        columns = [c.def_ for c in alter_commands(node, AT.AT_AddColumn) if c.def_.typeName is not None]
        named = set()
    return [c for c in columns if c.colname in named or column_constraints(c, *_KEY_CONSTRAINTS)
            or type_ref(c.typeName).base in SERIAL_TYPES or c.colname == "id" or c.colname.endswith("_id")]
