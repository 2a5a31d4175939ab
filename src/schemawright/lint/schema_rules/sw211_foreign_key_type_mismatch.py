from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.schema import Table
from schemawright.model.types import TEXT_KINDS


class ForeignKeyTypeMismatch(SchemaRule):
    """A foreign key column's type differs from the type of the column it references.

    PostgreSQL accepts an `integer` column referencing a `bigint` key (the types are comparable), but
    the reference breaks as soon as the key passes 2,147,483,647, and every join and cascade compares
    across types. Text-like types (`text`, `varchar`) referencing each other are accepted.

    **Bad**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY);
    CREATE TABLE orders (id bigint PRIMARY KEY, user_id integer REFERENCES users (id));
    ```

    **Good**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
    ```
    """

    code = "SW211"
    name = "foreign-key-type-mismatch"
    severity = Severity.ERROR
    fix = "Give the referencing column the key's type: ALTER TABLE orders ALTER COLUMN user_id TYPE bigint;"
    targets = (Table,)

    def check(self, table, ctx):
        for fk in table.foreign_keys:
            target = ctx.table(fk.ref_schema or table.schema, fk.ref_table)
            if target is None:
                continue
            for col_name, ref_name in zip(fk.columns, fk.ref_columns, strict=False):
                column, ref = table.column(col_name), target.column(ref_name)
                if column is None or ref is None or _compatible(column.type, ref.type):
                    continue
                yield self.report(ctx, f"Foreign key column {col_name!r} is {column.type} but references "
                                       f"{target.name}.{ref_name} of type {ref.type}.",
                                  at=ctx.table_path(table, col_name),
                                  fix=f"ALTER TABLE {ctx.table_sql(table)} ALTER COLUMN {q(col_name)} TYPE {ref.type};")


def _compatible(a, b) -> bool:
    if a.array_dims != b.array_dims:
        return False
    if a.kind in TEXT_KINDS and b.kind in TEXT_KINDS:
        return True
    return a.kind == b.kind and (a.name == b.name)
