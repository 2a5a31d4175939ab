from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, column_list, q
from schemawright.model.names import idx_name
from schemawright.model.schema import Table


class UnindexedForeignKey(SchemaRule):
    """A foreign key's columns are not the leading columns of any index.

    Every delete or key update on the referenced table looks up the referencing rows: without an
    index that is a sequential scan of the referencing table per row deleted, under a lock. Joins
    from parent to children need the same index. Seed 004: "Always index: ... 2. Foreign keys".
    An index whose leading columns are the key's columns (in any order) covers it, a primary key
    or unique constraint included.

    **Bad**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));
    ```

    **Good**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));
    CREATE INDEX idx_orders_user_id ON orders (user_id);
    ```
    """

    code = "SW401"
    name = "unindexed-foreign-key"
    severity = Severity.WARNING
    fix = "CREATE INDEX CONCURRENTLY idx_orders_user_id ON orders (user_id);"
    targets = (Table,)

    def check(self, table, ctx):
        for fk in table.foreign_keys:
            if ctx.covering_index(table, fk.columns) is None:
                name = idx_name(table.name, fk.columns)
                yield self.report(ctx, f"Foreign key {fk.name!r} ({', '.join(fk.columns)}) -> {fk.ref_table} has no "
                                       "index: deletes on the referenced table scan this one.",
                                  at=ctx.table_path(table, fk.name),
                                  fix=f"CREATE INDEX CONCURRENTLY {q(name)} ON {ctx.table_sql(table)} "
                                      f"({column_list(fk.columns)});")
