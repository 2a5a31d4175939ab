from __future__ import annotations

from schemawright.findings import Severity
from schemawright.lint.schema_rules.base import Namespace, SchemaRule


class SchemaWithoutForeignKeys(SchemaRule):
    """A schema with several tables has no foreign key at all.

    Seed 004's first anti-pattern: "No Foreign Keys: Always define relationships". Tables that
    share data but no constraints leave integrity to every piece of code that writes them. The rule
    fires once per schema with at least `thresholds: {min_tables_for_foreign_keys: 3}` tables and
    no foreign key between any of them (see SW202 for the columns that look like references).

    **Bad**

    ```sql
    CREATE TABLE users (id bigint PRIMARY KEY);
    CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
    CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint);
    ```

    **Good**

    ```sql
    CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
    CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
    ```
    """

    code = "SW203"
    name = "schema-without-foreign-keys"
    severity = Severity.WARNING
    fix = "Declare the relationships: ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);"
    targets = (Namespace,)

    def check(self, namespace, ctx):
        tables = namespace.tables
        if len(tables) >= ctx.settings.thresholds.min_tables_for_foreign_keys and \
                not any(t.foreign_keys for t in tables):
            yield self.report(ctx, f"Schema {namespace.name!r} has {len(tables)} tables and no foreign key.",
                              at=namespace.name,
                              fix="-- for each relationship:\nALTER TABLE child ADD CONSTRAINT fk_child_parent_id "
                                  "FOREIGN KEY (parent_id) REFERENCES parent (id);")
