from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import SchemaRule, q
from schemawright.model.names import singular
from schemawright.model.schema import Table


class PrimaryKeyColumnName(SchemaRule):
    """A single-column primary key is named neither `id` nor `<table in singular>_id`.

    Seed 004: "Primary Keys: table_singular_id or just id". A predictable key name lets anyone
    write a join without looking the table up (`orders.user_id = users.id`), and lets tools infer
    relationships. Composite keys (junction tables) and keys that are also a foreign key (a 1:1
    extension table sharing its parent's key) are not checked.

    **Bad**

    ```sql
    CREATE TABLE users (uid bigint PRIMARY KEY);
    ```

    **Good**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY);   -- or user_id
    ```
    """

    code = "SW104"
    name = "primary-key-column-name"
    severity = Severity.INFO
    fix = "Rename the key column: ALTER TABLE users RENAME COLUMN uid TO id;"
    targets = (Table,)

    def check(self, table, ctx):
        pk = table.primary_key
        if pk is None or len(pk.columns) != 1:
            return
        column = pk.columns[0]
        if any(fk.columns == pk.columns for fk in table.foreign_keys):
            return  # a 1:1 extension table shares its parent's key (film_embeddings.film_id -> films.id)
        allowed = {"id", f"{singular(table.name)}_id", f"{table.name}_id"}
        if column not in allowed:
            yield self.report(ctx, f"Primary key column {column!r} of {table.name!r} is not named 'id' or "
                                   f"'{singular(table.name)}_id'.", at=ctx.table_path(table, column),
                              fix=f"ALTER TABLE {ctx.table_sql(table)} RENAME COLUMN {q(column)} TO id;")
