from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, column_list, q
from schemawright.model.names import plural
from schemawright.model.schema import Table


class MissingForeignKey(SchemaRule):
    """A column named like a reference to another table (`user_id` next to a `users` table) has no foreign key.

    Seed 004: "No Foreign Keys: Always define relationships". Without the constraint, nothing stops
    an order from pointing at a user that never existed or was deleted; the application has to
    clean up orphans forever, and tools cannot see the relationship. The rule looks for
    `<name>_id` columns where a table `<name>` or `<names>` exists with a single-column primary key.

    **Bad**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY);
    CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL);
    ```

    **Good**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY,
                         user_id bigint NOT NULL REFERENCES users (id));
    ```
    """

    code = "SW202"
    name = "missing-foreign-key"
    severity = Severity.WARNING
    fix = ("Add the constraint (NOT VALID first on a large table): ALTER TABLE orders ADD CONSTRAINT "
           "fk_orders_user_id FOREIGN KEY (user_id) REFERENCES users (id);")
    targets = (Table,)

    def check(self, table, ctx):
        referenced = {c for fk in table.foreign_keys for c in fk.columns}
        for column in table.columns:
            if column.name in referenced or not column.name.endswith("_id") or column.type.array_dims:
                continue
            stem = column.name[:-3]
            target = _target(ctx, table, stem)
            if target is None:
                continue
            pk = target.primary_key.columns[0]
            name = f"fk_{table.name}_{column.name}"
            yield self.report(
                ctx, f"Column {column.name!r} looks like a reference to {target.name!r} but has no foreign key.",
                at=ctx.table_path(table, column.name),
                fix=f"ALTER TABLE {ctx.table_sql(table)} ADD CONSTRAINT {q(name)} FOREIGN KEY ({q(column.name)}) "
                    f"REFERENCES {ctx.table_sql(target)} ({column_list([pk])});")


def _target(ctx, table: Table, stem: str) -> Table | None:
    if not stem:
        return None
    for name in dict.fromkeys((plural(stem), stem)):
        target = ctx.table(table.schema, name)
        if target is not None and target is not table and target.primary_key and \
                len(target.primary_key.columns) == 1:
            return target
    return None
